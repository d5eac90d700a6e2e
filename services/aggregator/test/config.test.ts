import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows, SettingError } from '@obscost/flags';
import { parseAggregatorArgs, parseTimestamp, SETTINGS } from '../src/config.js';
import { AggregatorError } from '../src/errors.js';

test('defaults come from the environment, then the project defaults', () => {
  const config = parseAggregatorArgs([], {
    KAFKA_BROKERS: 'k1:9092,k2:9092',
    AGGREGATOR_PORT: '9999',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
  });
  assert.ok(config);
  assert.deepEqual(config.brokers, ['k1:9092', 'k2:9092']);
  assert.equal(config.port, 9999);
  assert.equal(config.otlpUrl, 'http://collector:4318/v1/metrics');
  assert.equal(config.topic, 'obscost.events');
  assert.equal(config.dlqTopic, 'obscost.events.dlq');
  assert.equal(config.groupId, 'obscost-aggregator');
  assert.equal(config.exporter, 'prometheus');
  assert.deepEqual(config.start, { from: 'beginning' });
  assert.equal(config.fetchBytesPerPartition, 8 * 1024 ** 2);
  assert.equal(config.pidAttribute, false);
  assert.ok(Object.isFrozen(config));
});

test('flags override, and --help returns nothing', () => {
  const config = parseAggregatorArgs(
    ['--exporter', 'both', '--from-timestamp', '2026-11-25T00:00:00Z', '--pid-attribute'],
    {},
  );
  assert.ok(config);
  assert.equal(config.exporter, 'both');
  assert.deepEqual(config.start, { from: 'timestamp', timestampMs: Date.UTC(2026, 10, 25) });
  assert.equal(config.pidAttribute, true);
  assert.equal(parseAggregatorArgs(['--help'], {}), undefined);
});

test('bad values are usage errors naming the flag and the value', () => {
  const cases: [string[], RegExp][] = [
    [['--port', '70000'], /--port must be an integer from 0 to 65535, got "70000"/],
    [['--exporter', 'x'], /--exporter must be prometheus, otlp or both/],
    [['--topic', 'a b'], /--topic must be a Kafka topic name/],
    [['--fetch-bytes', '1K'], /--fetch-bytes must be a size/],
    [['--otlp-endpoint', 'nope'], /--otlp-endpoint must be a URL/],
    [['--group', 'a b'], /--group must be a consumer group name, got "a b"/],
    [['--from-beginning', '--from-timestamp', '0'], /at most one of/],
    [['--unknown'], /Unknown option '--unknown'/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseAggregatorArgs(argv, {}),
      (err: unknown) => {
        assert.ok(err instanceof AggregatorError);
        assert.equal(err.code, 'AGG_USAGE');
        assert.equal(err.exitCode, 2);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test('timestamps are ISO 8601 or epoch milliseconds', () => {
  assert.equal(parseTimestamp('t', '1700000000000'), 1_700_000_000_000);
  assert.equal(parseTimestamp('t', '1970-01-01T00:00:01Z'), 1000);
  assert.throws(() => parseTimestamp('t', 'soon'), SettingError);
});

test("docs/aggregator.md's option table is the settings table", () => {
  const doc = readFileSync(
    path.resolve(import.meta.dirname, '../../../../docs/aggregator.md'),
    'utf8',
  );
  const rows = docRows(SETTINGS);
  assert.deepEqual(markdownTableRows(doc, rows[0] ?? []), rows);
});
