import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { CaptureWriter, EVENT_METRICS, encodeBatch, type DecodedBatch } from '@obscost/events';
import { sleep } from '@obscost/process';
import {
  assertRejectionsAndSequences,
  assertTcpSizes,
  assertWriteSeries,
  knownRecords,
} from './aggregator-known-batches.js';
import {
  aggregator,
  assertExact,
  batch,
  EXACT_NAMES,
  expectedTotals,
  newTopic,
  readDeadLetters,
  samples,
  total,
  variedEvents,
  waitForRecords,
} from './aggregator-support.js';
import {
  AGGREGATOR_MAIN,
  freePorts,
  INFRA_CLI,
  ownKafka,
  REPLAY_MAIN,
  run,
  scrape,
  startChild,
  waitFor,
  type OwnKafka,
} from './support.js';

/**
 * The aggregator and replay doing their work. What goes wrong (kill -9, totals too large,
 * foreign offsets, Kafka away, bad flags and files) is in aggregator-faults.test.ts; the known
 * batches and what they must count to, in aggregator-known-batches.ts.
 */

async function knownBatches(t: TestContext, kafka: OwnKafka): Promise<void> {
  const topic = await newTopic(kafka, 2);
  const known = knownRecords();
  await topic.produce(known.records);
  const agg = await aggregator(t, topic.args);
  const text = await waitForRecords([agg], 11);
  assertExact(text, expectedTotals(known.counted));
  assertWriteSeries(text, known.onPartition0);
  assertTcpSizes(text, known.counted);
  assertRejectionsAndSequences(text);

  // At least once: a retried fetch may repeat a dead letter, never lose one.
  const reasons = await readDeadLetters(kafka, topic.dlq, 4);
  assert.deepEqual([...new Set(reasons)].sort(), [
    'invalid',
    'malformed',
    'not-single-object',
    'unknown-schema',
  ]);
}

async function twoInstances(t: TestContext, kafka: OwnKafka): Promise<void> {
  const topic = await newTopic(kafka, 4);
  const batches: DecodedBatch[] = [];
  let sequence = 0;
  const wave = (count: number) =>
    Array.from({ length: count }, () => {
      sequence++;
      return [0, 1, 2, 3].map((partition) => {
        const b = batch(`observer-${partition}`, sequence, variedEvents(1000, sequence));
        batches.push(b);
        return { partition, value: encodeBatch(b) };
      });
    }).flat();
  await topic.produce(wave(40));
  const instance = (id: string) =>
    aggregator(t, [...topic.args, '--fetch-bytes', '64K', '--instance-id', id]);
  const first = await instance('first');
  await waitFor(
    'the first instance counting',
    async () => total(await scrape(first.url), 'aggregator_records_total') > 0,
  );
  const second = await instance('second');
  await topic.produce(wave(40));
  const owned = (text: string): Set<string> =>
    new Set(
      samples(text)
        .filter((s) => s.name === 'aggregator_records_total')
        .map((s) => s.labels.partition ?? ''),
    );
  let text = '';
  await waitFor(
    'both instances owning partitions, all records counted once',
    async () => {
      const [a, b] = await Promise.all([scrape(first.url), scrape(second.url)]);
      text = `${a}\n${b}`;
      const [ownedA, ownedB] = [owned(a), owned(b)];
      return (
        ownedA.size > 0 &&
        ownedB.size > 0 &&
        ownedA.size + ownedB.size === 4 &&
        [...ownedA].every((p) => !ownedB.has(p)) &&
        total(text, 'aggregator_records_total') === 320
      );
    },
    60_000,
  );
  assertExact(text, expectedTotals(batches));

  assert.equal(await first.stop(), 0);
  await topic.produce(wave(20));
  text = await waitForRecords([second], 400);
  assert.equal(owned(text).size, 4);
  assertExact(text, expectedTotals(batches));
  assert.equal(total(text, 'aggregator_duplicate_batches_total'), 0);
}

async function replayAndRebuild(t: TestContext, kafka: OwnKafka): Promise<void> {
  const topic = await newTopic(kafka, 1);
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-replay-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const capture = (file: string, from: number, count: number): DecodedBatch[] => {
    const writer = new CaptureWriter(file);
    const batches = Array.from({ length: count }, (_, n) =>
      batch('captured', from + n, variedEvents(500, n)),
    );
    for (const b of batches) writer.write(encodeBatch(b));
    writer.close();
    return batches;
  };
  const early = capture(path.join(dir, 'early.avro'), 1, 20);
  const late = capture(path.join(dir, 'late.avro'), 21, 10);
  const replay = (file: string, ...flags: string[]) =>
    run(process.execPath, [
      REPLAY_MAIN,
      file,
      '--kafka-brokers',
      kafka.brokers,
      '--topic',
      topic.topic,
      ...flags,
    ]);

  const started = performance.now();
  const result = await replay(path.join(dir, 'early.avro'), '--rate', '20000');
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^replay: 20 batches, 10000 events from /m);
  assert.ok(seconds >= 0.45, `10,000 events at 20,000/s took ${seconds} s`);
  await sleep(50);
  const between = Date.now();
  await sleep(50);
  assert.equal((await replay(path.join(dir, 'late.avro'))).code, 0);

  const live = await aggregator(t, topic.args);
  assertExact(await waitForRecords([live], 30), expectedTotals([...early, ...late]));
  // The same file again: the same observer and sequence numbers, so nothing counts twice.
  assert.equal((await replay(path.join(dir, 'late.avro'))).code, 0);
  const again = await waitForRecords([live], 40);
  assertExact(again, expectedTotals([...early, ...late]));
  assert.equal(total(again, 'aggregator_duplicate_batches_total'), 10);

  const fresh = (group: string, ...flags: string[]) =>
    aggregator(t, [...topic.args, '--group', group, ...flags]);
  const rebuilt = await fresh(`${topic.topic}-rebuild`, '--from-beginning');
  assertExact(await waitForRecords([rebuilt], 40), expectedTotals([...early, ...late]));
  const sinceBetween = await fresh(
    `${topic.topic}-since`,
    '--from-timestamp',
    new Date(between).toISOString(),
  );
  const text = await waitForRecords([sinceBetween], 20);
  assertExact(text, expectedTotals(late));
  assert.equal(total(text, 'aggregator_duplicate_batches_total'), 10);

  // A copy cut short inside its last block: the whole batches before the cut are sent, then
  // the cut is told.
  const cut = path.join(dir, 'cut.avro');
  const writer = new CaptureWriter(cut);
  const whole = Array.from({ length: 6 }, (_, n) => batch('cut-short', n + 1, variedEvents(50, n)));
  for (const b of whole) writer.write(encodeBatch(b));
  writer.close();
  truncateSync(cut, statSync(cut).size - 100);
  const cutShort = await replay(cut);
  assert.equal(cutShort.code, 1, cutShort.stdout);
  assert.match(
    cutShort.stderr,
    /^replay: \S+cut\.avro: cut short: its whole blocks end at byte \d+, then \d+ bytes that are not a whole block; the 5 batches before it were sent$/m,
  );
  assertExact(
    await waitForRecords([live], 45),
    expectedTotals([...early, ...late, ...whole.slice(0, 5)]),
  );
}

async function otlpExport(t: TestContext, kafka: OwnKafka): Promise<void> {
  const [grpc, http, prometheus, telemetry, health, forward] = await freePorts(6);
  const env = {
    OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-aggregator-collector-')),
    COLLECTOR_OTLP_GRPC_PORT: String(grpc),
    COLLECTOR_OTLP_HTTP_PORT: String(http),
    COLLECTOR_PROMETHEUS_PORT: String(prometheus),
    COLLECTOR_TELEMETRY_PORT: String(telemetry),
    COLLECTOR_HEALTH_PORT: String(health),
    COLLECTOR_FORWARD_PORT: String(forward),
  };
  t.after(async () => {
    await run(process.execPath, [INFRA_CLI, 'down'], env);
    rmSync(env.OBSCOST_WORK_DIR, { recursive: true, force: true });
  });
  const up = await run(process.execPath, [INFRA_CLI, 'up', 'collector'], env);
  assert.equal(up.code, 0, up.stderr);

  const topic = await newTopic(kafka, 1);
  const batches = [1, 2, 3].map((n) => batch('observer-otlp', n, variedEvents(700, n)));
  await topic.produce(batches.map((b) => ({ partition: 0, value: encodeBatch(b) })));
  // No Prometheus endpoint of its own: it only pushes.
  const pushing = startChild(process.execPath, [
    AGGREGATOR_MAIN,
    ...topic.args,
    '--exporter',
    'otlp',
    '--otlp-endpoint',
    `http://127.0.0.1:${http}`,
    '--export-interval',
    '200',
  ]);
  t.after(() => pushing.stop());
  const expected = expectedTotals(batches);
  let text = '';
  await waitFor(
    "the totals in the Collector's exposition",
    async () => {
      text = await scrape(`http://127.0.0.1:${prometheus}/metrics`).catch(() => '');
      return EXACT_NAMES.every((name) => total(text, name) === (expected.get(name) ?? 0));
    },
    30_000,
  );
  assert.equal(
    total(text, `${EVENT_METRICS.write.sizes}_count`),
    expected.get(EVENT_METRICS.write.events),
  );
}

test('the aggregator counts exactly', { timeout: 600_000 }, async (t) => {
  const kafka = await ownKafka(t);
  await t.test(
    'known batches: exact totals, histograms, gaps, duplicates, a restart and the DLQ',
    (t) => knownBatches(t, kafka),
  );
  await t.test(
    'two instances split the partitions; a rebalance mid-run keeps the sum exact',
    { timeout: 180_000 },
    (t) => twoInstances(t, kafka),
  );
  await t.test(
    'replay a capture file, then rebuild from the beginning and from a timestamp',
    { timeout: 180_000 },
    (t) => replayAndRebuild(t, kafka),
  );
  await t.test('--exporter otlp: the same totals through the real Collector', (t) =>
    otlpExport(t, kafka),
  );
});
