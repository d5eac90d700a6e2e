import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { kafkaClient, loadInfraConfig, roundTrip, type InfraConfig } from '@obscost/infra';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { freePorts, INFRA_CLI, listening, run, waitFor } from './support.js';

/** A stack of its own: a fresh work directory and free ports, so a running stack is untouched. */
async function isolatedEnv(overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const [kafka, controller, grpc, http, prom, telemetry, health, forward, prometheus] =
    await freePorts(9);
  return {
    OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-infra-')),
    KAFKA_PORT: String(kafka),
    KAFKA_CONTROLLER_PORT: String(controller),
    KAFKA_EVENTS_PARTITIONS: '4',
    COLLECTOR_OTLP_GRPC_PORT: String(grpc),
    COLLECTOR_OTLP_HTTP_PORT: String(http),
    COLLECTOR_PROMETHEUS_PORT: String(prom),
    COLLECTOR_TELEMETRY_PORT: String(telemetry),
    COLLECTOR_HEALTH_PORT: String(health),
    COLLECTOR_FORWARD_PORT: String(forward),
    PROMETHEUS_PORT: String(prometheus),
    ...overrides,
  };
}

function infra(env: NodeJS.ProcessEnv, ...args: string[]) {
  return run(process.execPath, [INFRA_CLI, ...args], env);
}

async function allPorts(config: InfraConfig): Promise<number[]> {
  const c = config.collector;
  const ports = [config.kafka.port, config.kafka.controllerPort, c.otlpGrpcPort, c.otlpHttpPort];
  ports.push(
    c.prometheusPort,
    c.telemetryPort,
    c.healthPort,
    c.forwardPort,
    config.prometheus.port,
  );
  const open = [];
  for (const port of ports) if (await listening(port)) open.push(port);
  return open;
}

async function promQuery(config: InfraConfig, query: string): Promise<number | undefined> {
  const url = `http://127.0.0.1:${config.prometheus.port}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = (await (await fetch(url)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

test('native infrastructure: from nothing to up, used, and down', async (t) => {
  const env = await isolatedEnv();
  const config = loadInfraConfig({ ...process.env, ...env });
  t.after(async () => {
    await infra(env, 'down');
    rmSync(config.workDir, { recursive: true, force: true });
  });

  const first = await infra(env, 'up');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^kafka: up in [\d.]+ s \(pid \d+\)$/m);
  assert.match(first.stdout, /^collector: up in /m);
  assert.match(first.stdout, /^prometheus: up in /m);

  await t.test('up when up changes nothing', async () => {
    const again = await infra(env, 'up');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.match(/already up/g)?.length, 3, again.stdout);
    const status = await infra(env, 'status');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^kafka\s+up \(pid \d+\)$/m);
  });

  await t.test("Kafka: the project's topics, and a produce/consume round trip", async () => {
    const admin = kafkaClient(config, 'infra-test').admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({
        topics: [config.kafka.eventsTopic, config.kafka.dlqTopic],
      });
      assert.deepEqual(
        metadata.topics
          .map((topic) => [topic.name, topic.partitions.length])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
        [
          [config.kafka.eventsTopic, 4],
          [config.kafka.dlqTopic, 1],
        ],
      );
    } finally {
      await admin.disconnect();
    }
    assert.equal(await roundTrip(config), true);
  });

  await t.test('an OTLP metric reaches Prometheus through the Collector', async () => {
    const name = `obscost_infra_test_${process.pid}`;
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'infra-test' }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({
            url: `http://127.0.0.1:${config.collector.otlpHttpPort}/v1/metrics`,
          }),
          exportIntervalMillis: 500,
        }),
      ],
    });
    provider.getMeter('infra-test').createCounter(name).add(42, { run: 'test' });
    await provider.forceFlush();
    await waitFor(
      `${name}_total = 42 in Prometheus`,
      async () => (await promQuery(config, `${name}_total{run="test"}`)) === 42,
      30_000,
    );
    await provider.shutdown();
  });

  await t.test('down stops everything and frees every port', async () => {
    const result = await infra(env, 'down');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^kafka: stopped/m);
    assert.deepEqual(await allPorts(config), []);
    const status = await infra(env, 'status');
    assert.equal(status.code, 3);
    assert.match(status.stdout, /^kafka\s+down$/m);
  });
});

test('a component that cannot start fails up with its log tail', async (t) => {
  const env = await isolatedEnv({ OTEL_CONFIG: 'infra/prometheus/prometheus.yml' });
  t.after(async () => {
    await infra(env, 'down');
    rmSync(env.OBSCOST_WORK_DIR ?? '', { recursive: true, force: true });
  });
  const result = await infra(env, 'up', 'collector');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^infra: collector: the process exited$/m);
  assert.match(result.stderr, /^--- last lines of the collector log ---$/m);
  assert.match(result.stderr, /scrape_configs/);
  const config = loadInfraConfig({ ...process.env, ...env });
  assert.deepEqual(await allPorts(config), []);
});

test('bad settings and commands are usage errors', async () => {
  const bad = await infra({ KAFKA_PORT: 'nine' }, 'status');
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'infra: KAFKA_PORT must be an integer from 1 to 65535, got "nine"\n');
  const unknown = await infra({}, 'logs', 'zookeeper');
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown component "zookeeper": one of kafka, collector, prometheus/,
  );
});
