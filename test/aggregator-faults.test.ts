import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { encodeBatch, type DecodedBatch } from '@obscost/events';
import { kafkaClient } from '@obscost/infra';
import {
  aggregator,
  assertExact,
  batch,
  expectedTotals,
  newTopic,
  seriesValues,
  total,
  variedEvents,
  waitForRecords,
} from './aggregator-support.js';
import {
  AGGREGATOR_MAIN,
  ownKafka,
  REPLAY_MAIN,
  run,
  scrape,
  startChild,
  waitFor,
  type OwnKafka,
} from './support.js';

/**
 * The aggregator and replay when things go wrong: killed, too much to commit, a foreign
 * group, no Kafka, bad flags and files.
 */

async function killedAndRestarted(t: TestContext, kafka: OwnKafka): Promise<void> {
  const topic = await newTopic(kafka, 3);
  const batches: DecodedBatch[] = [];
  const ROUNDS = 150;
  // Produced all along, so that every kill lands while records keep arriving.
  const producing = (async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      await topic.produce(
        [0, 1, 2].map((partition) => {
          const b = batch(`observer-${partition}`, round, variedEvents(2000, round));
          batches.push(b);
          return { partition, value: encodeBatch(b) };
        }),
      );
    }
  })();
  // Small fetches: many commits, so a kill falls between them.
  const args = [...topic.args, '--fetch-bytes', '64K'];
  let agg = await aggregator(t, args);
  for (const threshold of [60, 180, 300]) {
    let before = '';
    await waitFor(
      `${threshold} records counted`,
      async () => {
        before = await scrape(agg.url);
        return total(before, 'aggregator_records_total') >= threshold;
      },
      60_000,
    );
    agg.signal('SIGKILL');
    await agg.exited;
    agg = await aggregator(t, args);
    const last = seriesValues(before);
    await waitFor(
      'the counters back',
      async () => {
        const after = await scrape(agg.url);
        for (const [series, value] of seriesValues(after)) {
          const previous = last.get(series);
          assert.ok(
            previous === undefined || value >= previous,
            `${series}: ${previous} -> ${value}`,
          );
        }
        return total(after, 'aggregator_records_total') >= threshold;
      },
      // The killed member holds its partitions until its 10 s session times out.
      60_000,
    );
  }
  await producing;
  const produced = ROUNDS * 3;
  const text = await waitForRecords([agg], produced);
  assertExact(text, expectedTotals(batches));
  assert.equal(total(text, 'aggregator_duplicate_batches_total'), 0);
  assert.equal(total(text, 'aggregator_sequence_gap_batches_total'), 0);
}

async function pastTheStateLimit(t: TestContext, kafka: OwnKafka): Promise<void> {
  const topic = await newTopic(kafka, 1);
  // 1,000 hosts x 6 series, past --max-series; and random 64-character names, past what an
  // offset commit carries even at 1,500 series. It used to stop, restart and stop again.
  const random = (length: number): string =>
    Array.from({ length }, () => Math.floor(Math.random() * 36).toString(36)).join('');
  const batches = Array.from({ length: 1000 }, (_, n) => ({
    ...batch(random(64), 1, variedEvents(24, n)),
    host: random(64),
  }));
  await topic.produce(batches.map((b) => ({ partition: 0, value: encodeBatch(b) })));
  const first = await aggregator(t, topic.args);
  let text = await waitForRecords([first], batches.length);
  assertExact(text, expectedTotals(batches));
  assert.ok(total(text, 'aggregator_overflow_events_total') > 0);
  assert.ok(total(text, 'app_write_events_total', { host: '_overflow' }) > 0);
  await first.waitForOutput(/partition 0: its totals took \d+ bytes, over the 32767/, 'the shrink');
  assert.equal(first.running, true, 'still counting: no stop');

  // What it committed reads back: a restart goes on from there, no loop, nothing twice.
  first.signal('SIGKILL');
  await first.exited;
  const second = await aggregator(t, topic.args);
  text = await waitForRecords([second], batches.length);
  assertExact(text, expectedTotals(batches));
  assert.equal(second.running, true);
}

async function foreignOffsets(t: TestContext, kafka: OwnKafka): Promise<void> {
  const topic = await newTopic(kafka, 1);
  await topic.produce([{ partition: 0, value: encodeBatch(batch('o', 1, variedEvents(10, 1))) }]);
  const group = `${topic.topic}-foreign`;
  const foreign = kafkaClient(kafka.config, 'aggregator-test').consumer({ groupId: group });
  await foreign.connect();
  await foreign.subscribe({ topic: topic.topic, fromBeginning: true });
  let seen = false;
  await foreign.run({
    autoCommit: false,
    eachMessage: () => {
      seen = true;
      return Promise.resolve();
    },
  });
  await waitFor('the foreign consumer to read', () => seen);
  await foreign.commitOffsets([
    { topic: topic.topic, partition: 0, offset: '1', metadata: 'not ours' },
  ] as Parameters<typeof foreign.commitOffsets>[0]);
  await foreign.disconnect();
  const refused = startChild(process.execPath, [
    AGGREGATOR_MAIN,
    ...topic.args,
    '--group',
    group,
    '--port',
    '0',
  ]);
  t.after(() => refused.stop());
  await waitFor('the aggregator to stop', () => !refused.running, 30_000);
  assert.equal(refused.process.exitCode, 1, refused.output());
  assert.match(
    refused.output(),
    new RegExp(`partition 0 committed by group ${group} carries no aggregator totals`),
  );
}

test('the aggregator stops or recovers as it should', { timeout: 600_000 }, async (t) => {
  const kafka = await ownKafka(t);
  await t.test(
    'kill -9 mid-stream and restart, three times: exact totals, monotonic series',
    { timeout: 240_000 },
    (t) => killedAndRestarted(t, kafka),
  );
  await t.test(
    'past the state limit: every event counted, under _overflow, across a kill -9',
    (t) => pastTheStateLimit(t, kafka),
  );
  await t.test('a group whose committed offsets carry no totals is refused, not reset', (t) =>
    foreignOffsets(t, kafka),
  );
});

test('a topic that does not exist yet: the aggregator says so, waits, and counts once it does', async (t) => {
  const kafka = await ownKafka(t);
  const topic = await newTopic(kafka, 1, { created: false });
  const agg = await aggregator(t, topic.args);
  await agg.waitForOutput(
    new RegExp(`topic ${topic.topic} and ${topic.dlq} does not exist .*: waiting for it`),
    'the missing topics said',
  );
  await topic.create();
  const batches = [batch('o', 1, variedEvents(300, 1))];
  await topic.produce(batches.map((b) => ({ partition: 0, value: encodeBatch(b) })));
  assertExact(await waitForRecords([agg], 1), expectedTotals(batches));
});

test(
  'the aggregator waits for Kafka, and resumes when Kafka restarts',
  { timeout: 240_000 },
  async (t) => {
    const kafka = await ownKafka(t, { start: false, partitions: 2 });
    const args = [
      '--kafka-brokers',
      kafka.brokers,
      '--topic',
      kafka.config.kafka.eventsTopic,
      '--dlq-topic',
      kafka.config.kafka.dlqTopic,
    ];
    const agg = await aggregator(t, args);
    await waitFor('the wait to be said', () => agg.output().includes('waiting for Kafka'));
    assert.equal(total(await scrape(agg.url), 'aggregator_kafka_connected'), 0);
    await kafka.up();
    const batches: DecodedBatch[] = [];
    const produce = async (from: number): Promise<void> => {
      const producer = kafkaClient(kafka.config, 'aggregator-test').producer({ idempotent: true });
      await producer.connect();
      const records = [0, 1].map((partition) => {
        const b = batch(`observer-${partition}`, from, variedEvents(1000, from));
        batches.push(b);
        return { partition, value: encodeBatch(b) };
      });
      await producer.send({ topic: kafka.config.kafka.eventsTopic, acks: -1, messages: records });
      await producer.disconnect();
    };
    await produce(1);
    assertExact(await waitForRecords([agg], 2), expectedTotals(batches));
    assert.equal(total(await scrape(agg.url), 'aggregator_kafka_connected'), 1);

    await kafka.down();
    await kafka.up();
    await produce(2);
    const text = await waitForRecords([agg], 4, 90_000);
    assertExact(text, expectedTotals(batches));
    assert.equal(total(text, 'aggregator_sequence_gap_batches_total'), 0);
    assert.equal(agg.process.exitCode, null);
  },
);

test('bad flags and files are one clear line and a non-zero exit', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-replay-bad-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const notAvro = path.join(dir, 'notes.txt');
  writeFileSync(notAvro, 'just text\n');
  const cases: [string, string[], number, RegExp][] = [
    [
      AGGREGATOR_MAIN,
      ['--exporter', 'statsd'],
      2,
      /--exporter must be prometheus, otlp or both, got "statsd"/,
    ],
    [
      AGGREGATOR_MAIN,
      ['--from-timestamp', 'yesterday'],
      2,
      /--from-timestamp must be an ISO 8601 time/,
    ],
    [AGGREGATOR_MAIN, ['--kafka-brokers', 'nohost'], 2, /--kafka-brokers must be host:port/],
    [REPLAY_MAIN, [], 2, /name exactly one capture file/],
    [REPLAY_MAIN, ['x.avro', '--rate', '0'], 2, /--rate must be a positive number/],
    [REPLAY_MAIN, [path.join(dir, 'missing.avro')], 1, /missing\.avro: no such file/],
    [
      REPLAY_MAIN,
      [notAvro, '--kafka-brokers', '127.0.0.1:1'],
      1,
      /notes\.txt: not a capture file of event batches/,
    ],
  ];
  for (const [main, args, code, message] of cases) {
    const result = await run(process.execPath, [main, ...args]);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
