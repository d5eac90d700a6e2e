import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { AggregatorError } from '../src/errors.js';
import { parseReplayArgs, REPLAY_SETTINGS } from '../src/replay-config.js';

test('replay takes one file, a rate, and the Kafka settings of the environment', () => {
  assert.deepEqual(parseReplayArgs(['run.avro'], { KAFKA_BROKERS: 'k:1' }), {
    file: 'run.avro',
    rate: undefined,
    brokers: ['k:1'],
    security: {},
    topic: 'obscost.events',
  });
  assert.equal(parseReplayArgs(['run.avro', '--rate', '2.5'], {})?.rate, 2.5);
  assert.equal(parseReplayArgs(['--help'], {}), undefined);
  for (const [argv, message] of [
    [[], /name exactly one capture file/],
    [['a', 'b'], /name exactly one capture file/],
    [['a', '--rate', '0'], /--rate must be a positive number/],
  ] as const) {
    assert.throws(
      () => parseReplayArgs([...argv], {}),
      (err: unknown) =>
        err instanceof AggregatorError && err.code === 'AGG_USAGE' && message.test(err.message),
    );
  }
});

test("docs/aggregator.md's replay option table is the settings table", () => {
  const doc = readFileSync(
    path.resolve(import.meta.dirname, '../../../../docs/aggregator.md'),
    'utf8',
  );
  // The aggregator's table, above, has the same header: read from the replay section on.
  const section = doc.slice(doc.indexOf('## Kafka topic replay'));
  const rows = docRows(REPLAY_SETTINGS);
  assert.deepEqual(markdownTableRows(section, rows[0] ?? []), rows);
});
