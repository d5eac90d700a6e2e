import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { CaptureWriter, encodeBatch, type DecodedBatch } from '@obscost/events';
import { kafkaClient } from '@obscost/infra';
import {
  ownKafka,
  REPLAY_MAIN,
  AGGREGATOR_MAIN,
  freePorts,
  INFRA_CLI,
  run,
  scrape,
  startAggregator,
  startChild,
  waitFor,
  type OwnKafka,
  type RunningAggregator,
} from './support.js';

type Kind = 'WRITE' | 'WRITEV' | 'TCP_SEND' | 'UPROBE';

interface TestEvent {
  kind: Kind;
  bytes: number;
  socket?: boolean;
  pid?: number;
}

const HOST = 'test-host';
const APP_PID = 4242;

function batch(observer: string, sequence: number, events: TestEvent[]): DecodedBatch {
  return {
    observer_id: observer,
    host: HOST,
    sequence,
    events: events.map((e, i) => ({
      timestamp_ns: 1_000_000 + i,
      bytes: e.bytes,
      pid: e.pid ?? APP_PID,
      tid: e.pid ?? APP_PID,
      fd: 7,
      kind: e.kind,
      flags: e.socket === false ? 0 : 1,
    })),
    processes: [{ pid: APP_PID, name: 'obscost-app' }],
  };
}

/** A varied batch: every kind, sizes across the histogram's buckets, `n` events. */
function variedEvents(n: number, seed: number): TestEvent[] {
  const kinds: Kind[] = ['WRITE', 'WRITEV', 'TCP_SEND', 'UPROBE'];
  return Array.from({ length: n }, (_, i) => ({
    kind: kinds[(i + seed) % 4] as Kind,
    bytes: ((i * 7919 + seed) % 5000) + 1,
    socket: (i + seed) % 3 !== 0,
  }));
}

/** The totals an exact aggregator must export, computed independently of it. */
function expectedTotals(batches: DecodedBatch[]): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (key: string, value: number): void => {
    totals.set(key, (totals.get(key) ?? 0) + value);
  };
  for (const b of batches) {
    for (const e of b.events) {
      const family =
        e.kind === 'TCP_SEND' ? 'app_tcp_send' : e.kind === 'UPROBE' ? 'app_uprobe' : 'app_write';
      add(family === 'app_uprobe' ? 'app_uprobe_calls_total' : `${family}_events_total`, 1);
      add(`${family}_bytes_total`, e.bytes);
    }
  }
  return totals;
}

/** Parses a Prometheus exposition: every sample with its labels. */
function samples(
  exposition: string,
): { name: string; labels: Record<string, string>; value: number }[] {
  const result = [];
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    result.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return result;
}

/** The sum of a metric's samples whose labels include `where`. */
function total(exposition: string, name: string, where: Record<string, string> = {}): number {
  return samples(exposition)
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrapeAll(aggregators: RunningAggregator[]): Promise<string> {
  return (await Promise.all(aggregators.map((a) => scrape(a.url)))).join('\n');
}

const EXACT_NAMES = [
  'app_write_events_total',
  'app_write_bytes_total',
  'app_tcp_send_events_total',
  'app_tcp_send_bytes_total',
  'app_uprobe_calls_total',
  'app_uprobe_bytes_total',
];

function assertExact(exposition: string, expected: Map<string, number>): void {
  for (const name of EXACT_NAMES) {
    assert.equal(total(exposition, name), expected.get(name) ?? 0, name);
  }
}

interface Topic {
  topic: string;
  dlq: string;
  args: string[];
  produce(records: { partition: number; value: Buffer; key?: string }[]): Promise<void>;
}

let topicCount = 0;

/** A fresh events topic and dead-letter topic on `kafka`, and the aggregator flags for them. */
async function newTopic(kafka: OwnKafka, partitions: number): Promise<Topic> {
  const topic = `agg-test-${process.pid}-${++topicCount}`;
  const dlq = `${topic}.dlq`;
  const client = kafkaClient(kafka.config, 'aggregator-test');
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: partitions, replicationFactor: 1 },
        { topic: dlq, numPartitions: 1, replicationFactor: 1 },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return {
    topic,
    dlq,
    args: [
      '--kafka-brokers',
      kafka.brokers,
      '--topic',
      topic,
      '--dlq-topic',
      dlq,
      '--group',
      `${topic}-group`,
    ],
    async produce(records) {
      const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        for (let i = 0; i < records.length; i += 50) {
          await producer.send({ topic, acks: -1, messages: records.slice(i, i + 50) });
        }
      } finally {
        await producer.disconnect();
      }
    },
  };
}

async function aggregator(
  t: TestContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningAggregator> {
  const running = await startAggregator(args, env);
  t.after(() => running.stop());
  return running;
}

/** Waits until the aggregators together have counted `records` records. */
async function waitForRecords(
  aggregators: RunningAggregator[],
  records: number,
  timeoutMs = 60_000,
): Promise<string> {
  let exposition = '';
  await waitFor(
    `${records} records counted`,
    async () => {
      exposition = await scrapeAll(aggregators);
      return total(exposition, 'aggregator_records_total') === records;
    },
    timeoutMs,
  );
  return exposition;
}

test('the aggregator', async (t) => {
  const kafka = await ownKafka(t);

  await t.test(
    'known batches: exact totals, histograms, gaps, duplicates and the DLQ',
    async (t) => {
      const topic = await newTopic(kafka, 2);
      const first = batch('observer-a', 1, [
        { kind: 'WRITE', bytes: 100 },
        { kind: 'WRITE', bytes: 64, socket: false },
        { kind: 'WRITEV', bytes: 3000 },
        { kind: 'TCP_SEND', bytes: 3100 },
        { kind: 'UPROBE', bytes: 3000 },
        { kind: 'WRITE', bytes: 5, pid: 99 },
      ]);
      const second = batch('observer-a', 2, variedEvents(500, 1));
      const afterGap = batch('observer-a', 5, variedEvents(300, 2));
      const other = batch('observer-b', 1, variedEvents(400, 3));
      const counted = [first, second, afterGap, other];
      const truncated = encodeBatch(second).subarray(0, 40);
      const wrongSchema = Buffer.concat([
        Buffer.from([0xc3, 0x01]),
        Buffer.alloc(8, 0xab),
        Buffer.from('x'),
      ]);
      await topic.produce([
        { partition: 0, value: encodeBatch(first) },
        { partition: 0, value: Buffer.from('not an Avro batch') },
        { partition: 0, value: encodeBatch(second) },
        { partition: 0, value: encodeBatch(second) },
        { partition: 0, value: wrongSchema },
        { partition: 0, value: encodeBatch(afterGap) },
        { partition: 1, value: encodeBatch(other) },
        { partition: 1, value: truncated },
      ]);
      const agg = await aggregator(t, topic.args);
      const text = await waitForRecords([agg], 8);
      assertExact(text, expectedTotals(counted));

      const onPartition0 = [first, second, afterGap].flatMap((b) => b.events);
      const writes = (kind: string, socket: boolean) =>
        onPartition0.filter(
          (e) => e.kind === kind && e.pid === APP_PID && (e.flags === 1) === socket,
        ).length;
      const app = { host: HOST, process: 'obscost-app', partition: '0' };
      for (const [syscall, kind] of [
        ['write', 'WRITE'],
        ['writev', 'WRITEV'],
      ] as const) {
        for (const socket of [true, false]) {
          assert.equal(
            total(text, 'app_write_events_total', {
              ...app,
              syscall,
              fd: socket ? 'socket' : 'other',
            }),
            writes(kind, socket),
            `${syscall} ${socket ? 'socket' : 'other'}`,
          );
        }
      }
      assert.equal(
        total(text, 'app_write_bytes_total', { process: 'unknown' }),
        5,
        'a pid missing from the batch names no process',
      );
      assert.equal(
        total(text, 'app_tcp_send_size_bytes_count'),
        expectedTotals(counted).get('app_tcp_send_events_total'),
      );
      assert.equal(
        total(text, 'app_tcp_send_size_bytes_sum'),
        expectedTotals(counted).get('app_tcp_send_bytes_total'),
      );
      const tcpSizes = counted.flatMap((b) =>
        b.events.filter((e) => e.kind === 'TCP_SEND').map((e) => e.bytes),
      );
      for (const le of [64, 256, 1024, 4096]) {
        assert.equal(
          total(text, 'app_tcp_send_size_bytes_bucket', { le: String(le) }),
          tcpSizes.filter((bytes) => bytes <= le).length,
          `tcp sizes <= ${le}`,
        );
      }

      assert.equal(
        total(text, 'aggregator_decode_errors_total', { reason: 'not-single-object' }),
        1,
      );
      assert.equal(total(text, 'aggregator_decode_errors_total', { reason: 'unknown-schema' }), 1);
      assert.equal(total(text, 'aggregator_decode_errors_total', { reason: 'malformed' }), 1);
      assert.equal(total(text, 'aggregator_dead_letter_records_total'), 3);
      assert.equal(total(text, 'aggregator_sequence_gap_batches_total', { host: HOST }), 2);
      assert.equal(total(text, 'aggregator_duplicate_batches_total', { host: HOST }), 1);
      assert.equal(total(text, 'aggregator_consumer_lag_records'), 0);

      // At least once: a retried fetch may repeat a dead letter, never lose one.
      const reasons = await readDeadLetters(kafka, topic.dlq, 3);
      assert.deepEqual([...new Set(reasons)].sort(), [
        'malformed',
        'not-single-object',
        'unknown-schema',
      ]);
    },
  );

  await t.test(
    'kill -9 mid-stream and restart, three times: exact totals, monotonic series',
    async (t) => {
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
        agg.process.kill('SIGKILL');
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
    },
  );

  await t.test(
    'two instances split the partitions; a rebalance mid-run keeps the sum exact',
    async (t) => {
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
      const first = await aggregator(t, [
        ...topic.args,
        '--fetch-bytes',
        '64K',
        '--instance-id',
        'first',
      ]);
      await waitFor(
        'the first instance counting',
        async () => total(await scrape(first.url), 'aggregator_records_total') > 0,
      );
      const second = await aggregator(t, [
        ...topic.args,
        '--fetch-bytes',
        '64K',
        '--instance-id',
        'second',
      ]);
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
    },
  );

  await t.test(
    'replay a capture file, then rebuild from the beginning and from a timestamp',
    async (t) => {
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
      await new Promise((resolve) => setTimeout(resolve, 50));
      const between = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
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
    },
  );

  await t.test(
    'totals too large for an offset commit stop the aggregator, saying so',
    async (t) => {
      const topic = await newTopic(kafka, 1);
      // One observer per host: 1,000 hosts x 6 series, about 59 KB of snapshot.
      await topic.produce(
        Array.from({ length: 1000 }, (_, host) => ({
          partition: 0,
          value: encodeBatch({
            ...batch(`observer-${host}`, 1, variedEvents(8, host)),
            host: `host-${host}`,
          }),
        })),
      );
      const stopped = startChild(process.execPath, [AGGREGATOR_MAIN, ...topic.args, '--port', '0']);
      t.after(() => stopped.stop());
      await waitFor('the aggregator to stop', () => stopped.process.exitCode !== null, 60_000);
      assert.equal(stopped.process.exitCode, 1, stopped.output());
      assert.match(
        stopped.output(),
        /totals take \d+ bytes, over the 32767 an offset commit can carry/,
      );
    },
  );

  await t.test(
    'a group whose committed offsets carry no totals is refused, not reset',
    async (t) => {
      const topic = await newTopic(kafka, 1);
      await topic.produce([
        { partition: 0, value: encodeBatch(batch('o', 1, variedEvents(10, 1))) },
      ]);
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
      await waitFor('the aggregator to stop', () => refused.process.exitCode !== null, 30_000);
      assert.equal(refused.process.exitCode, 1, refused.output());
      assert.match(
        refused.output(),
        new RegExp(`partition 0 committed by group ${group} carries no aggregator totals`),
      );
    },
  );

  await t.test('--exporter otlp: the same totals through the real Collector', async (t) => {
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
    assert.equal(total(text, 'app_write_size_bytes_count'), expected.get('app_write_events_total'));
  });
});

test('the aggregator waits for Kafka, and resumes when Kafka restarts', async (t) => {
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
});

test('bad flags and files are one clear line and a non-zero exit', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-replay-bad-'));
  try {
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
    ];
    const notAvro = path.join(dir, 'notes.txt');
    writeFileSync(notAvro, 'just text\n');
    cases.push([
      REPLAY_MAIN,
      [notAvro, '--kafka-brokers', '127.0.0.1:1'],
      1,
      /notes\.txt: not a capture file of event batches/,
    ]);
    for (const [main, args, code, message] of cases) {
      const result = await run(process.execPath, [main, ...args]);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every sample of an exposition by name and labels, for comparing scrapes. */
function seriesValues(exposition: string): Map<string, number> {
  return new Map(
    samples(exposition)
      .filter((s) => EXACT_NAMES.includes(s.name))
      .map((s) => [`${s.name}${JSON.stringify(s.labels)}`, s.value]),
  );
}

/** The `obscost.reason` header of the first `count` records of the dead-letter topic. */
async function readDeadLetters(kafka: OwnKafka, dlq: string, count: number): Promise<string[]> {
  const consumer = kafkaClient(kafka.config, 'aggregator-test').consumer({
    groupId: `${dlq}-reader`,
  });
  const reasons: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        reasons.push(String(message.headers?.['obscost.reason']));
        return Promise.resolve();
      },
    });
    await waitFor(`${count} dead letters`, () => reasons.length >= count, 20_000);
  } finally {
    await consumer.disconnect();
  }
  return reasons;
}
