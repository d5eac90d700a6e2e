import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { loadInfraConfig, ROOT, SETTINGS } from '../src/config.js';
import { InfraError } from '../src/errors.js';
import { renderPrometheusConfig } from '../src/prometheus.js';
import { renderTemplate } from '../src/artifacts.js';

test("defaults are DESIGN.md's ports", () => {
  const config = loadInfraConfig({});
  assert.equal(config.kafka.port, 9092);
  assert.equal(config.kafka.controllerPort, 9093);
  assert.equal(config.kafka.brokers, '127.0.0.1:9092');
  assert.equal(config.kafka.eventsTopic, 'obscost.events');
  assert.equal(config.kafka.eventsPartitions, 3);
  assert.equal(config.collector.otlpGrpcPort, 4317);
  assert.equal(config.collector.otlpHttpPort, 4318);
  assert.equal(config.collector.prometheusPort, 8889);
  assert.equal(config.collector.forwardPort, 24224);
  assert.equal(config.collector.config, path.join(ROOT, 'otel/collector.yaml'));
  assert.equal(config.prometheus.port, 9090);
  assert.deepEqual(config.targets, { app: 8080, observer: 9100, aggregator: 9464 });
  assert.equal(config.workDir, path.join(ROOT, '.work'));
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.kafka));
});

test('environment variables override, numbers coerced', () => {
  const config = loadInfraConfig({
    KAFKA_PORT: '19092',
    KAFKA_EVENTS_PARTITIONS: '8',
    OTEL_CONFIG: 'otel/collector-filelog.yaml',
    OBSCOST_WORK_DIR: '/tmp/w',
  });
  assert.equal(config.kafka.brokers, '127.0.0.1:19092');
  assert.equal(config.kafka.eventsPartitions, 8);
  assert.equal(config.collector.config, path.join(ROOT, 'otel/collector-filelog.yaml'));
  assert.equal(config.workDir, '/tmp/w');
});

test('an invalid setting names the variable, its value and the rule', () => {
  for (const [env, message] of [
    [{ KAFKA_PORT: 'x' }, 'KAFKA_PORT must be an integer from 1 to 65535, got "x"'],
    [
      { PROMETHEUS_PORT: '70000' },
      'PROMETHEUS_PORT must be an integer from 1 to 65535, got "70000"',
    ],
    [
      { KAFKA_EVENTS_PARTITIONS: '0' },
      'KAFKA_EVENTS_PARTITIONS must be an integer from 1 to 1000, got "0"',
    ],
    [{ KAFKA_HEAP: 'lots' }, 'KAFKA_HEAP must be a heap size such as 512m or 2g, got "lots"'],
    [
      { KAFKA_EVENTS_TOPIC: 'bad topic' },
      'KAFKA_EVENTS_TOPIC must be a Kafka topic name, got "bad topic"',
    ],
    [
      { KAFKA_SASL_SSL_PORT: '9094', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      'KAFKA_SASL_SSL_PORT needs KAFKA_TLS_KEYSTORE, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    ],
    [
      {
        KAFKA_SASL_SSL_PORT: '9094',
        KAFKA_TLS_KEYSTORE: '/k.pem',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'a,b',
      },
      "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD cannot hold ',' or ']' (nor '=' or a space in the user), which Kafka's --add-scram cannot quote",
    ],
  ] as const) {
    assert.throws(
      () => loadInfraConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof InfraError);
        assert.equal(err.code, 'INFRA_USAGE');
        assert.equal(err.exitCode, 2);
        assert.equal(err.message, message);
        return true;
      },
    );
  }
});

test('templates: every placeholder filled, a missing value refused', () => {
  assert.equal(renderTemplate('a={{a}} b={{b}}', { a: 1, b: 'x' }), 'a=1 b=x');
  assert.throws(
    () => renderTemplate('{{nope}}', {}),
    (err: unknown) =>
      err instanceof InfraError &&
      err.code === 'INFRA_TEMPLATE' &&
      err.message === 'no value for the template placeholder {{nope}}',
  );
});

test("Prometheus's config carries the configured ports", () => {
  const rendered = renderPrometheusConfig(
    loadInfraConfig({
      PROMETHEUS_PORT: '19090',
      APP_PORT: '18080',
      COLLECTOR_PROMETHEUS_PORT: '18889',
    }),
  );
  assert.doesNotMatch(rendered, /\{\{/);
  for (const target of [
    '127.0.0.1:19090',
    '127.0.0.1:18080',
    '127.0.0.1:18889',
    '127.0.0.1:9100',
    '127.0.0.1:9464',
  ]) {
    assert.ok(rendered.includes(`'${target}'`), target);
  }
});

test("the docs' settings table is the settings table", () => {
  const page = readFileSync(path.join(ROOT, 'docs/infrastructure.md'), 'utf8');
  const rows = docRows(SETTINGS);
  assert.deepEqual(markdownTableRows(page, rows[0] ?? []), rows);
});
