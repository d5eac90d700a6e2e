/**
 * The aggregator's throughput and delay.
 *
 * 1. On one core, in process: event batches as the observer encodes them (64 KiB), decoded
 *    with avsc and counted into a partition state the way the consumer does it (a copy per
 *    fetch of 16 records, the copy's snapshot for the commit), beside avsc decoding alone
 *    as the reference. Median events/s of several runs.
 * 2. Through Kafka: the same records pre-filled into a topic of a Kafka of the benchmark's
 *    own; the real aggregator started on it; events/s from its first counted record to its
 *    last, and its CPU.
 * 3. With --latency: the app under load, the real eBPF observer forwarding to that Kafka
 *    and the aggregator counting; the delay from each batch's oldest event's kernel
 *    timestamp to its commit (aggregator_event_delay_seconds), p50 and p99.
 *
 *   npm run bench:aggregate -- [--runs 5] [--events 2000000] [--latency] [--seconds 10]
 */
import { encodeSnapshot, PartitionState } from '@obscost/aggregator';
import { cpuSeconds, histogramQuantile, median, scrape, sumOf } from '@obscost/measure';
import { setting } from '@obscost/flags';
import { BatchEncoder, decodeBatch } from '@obscost/events';
import { kafkaClient } from '@obscost/infra';
import {
  benchJson,
  startAggregator,
  startApp,
  startObserver,
  type RunningAggregator,
} from '@obscost/infra';
import { sleep, waitFor } from '@obscost/process';
import { benchKafka } from './own-kafka.js';
import { benchmarkFlags, flag } from './settings.js';

const values = benchmarkFlags('bench:aggregate', "The aggregator's throughput and delay.", {
  runs: flag.runs(5),
  events: flag.count('events', 2_000_000, 'events a run'),
  latency: setting.switch({
    flag: 'latency',
    help: 'also the kernel-timestamp-to-counted delay, the app under load',
  }),
  seconds: flag.count('seconds', 10, 'load for the delay, in seconds'),
});
const { runs, events: total } = values;
const progress = (line: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
};

// Events as the ring buffer holds them, as in bench:avro: every kind, a socket flag, one pid.
const WORDS = 8;
const words = new Uint32Array(total * WORDS);
for (let i = 0; i < total; i++) {
  const base = i * WORDS;
  words[base] = (1_000_000_000 + i * 1000) >>> 0;
  words[base + 1] = 0x44e;
  words[base + 2] = 100 + ((i * 7919) % 4000);
  words[base + 4] = 4242;
  words[base + 5] = 4243;
  words[base + 6] = 17;
  words[base + 7] = ((i % 3 === 0 ? 0 : 1) << 16) | (1 + (i % 4));
}
const encoder = new BatchEncoder('bench-observer', 'bench-host', Date.now(), 64 * 1024);
const records: Buffer[] = [];
const processes = [{ pid: 4242, name: 'obscost-app' }];
for (let i = 0; i < total; i++) {
  encoder.append(words, i * WORDS);
  if (encoder.full) records.push(encoder.close(records.length + 1, processes));
}
if (encoder.events > 0) records.push(encoder.close(records.length + 1, processes));

const FETCH_RECORDS = 16;

function decodeOnly(): number {
  let events = 0;
  for (const record of records) events += decodeBatch(record).events.length;
  return events;
}

function decodeAndCount(): number {
  let state = new PartitionState(false);
  for (let i = 0; i < records.length; i += FETCH_RECORDS) {
    const next = state.clone();
    records.slice(i, i + FETCH_RECORDS).forEach((record, n) => {
      next.add(decodeBatch(record), i + n, 0);
    });
    encodeSnapshot(next);
    state = next;
  }
  return state.events;
}

function rate(work: () => number): number {
  const start = process.hrtime.bigint();
  const events = work();
  if (events !== total) throw new Error(`counted ${events} events of ${total}`);
  return (total / Number(process.hrtime.bigint() - start)) * 1e9;
}

const decodeRates: number[] = [];
const countRates: number[] = [];
for (let run = 0; run < runs; run++) {
  progress(`in process: run ${run + 1} of ${runs}`);
  decodeRates.push(rate(decodeOnly));
  countRates.push(rate(decodeAndCount));
}
const perSecond = (n: number): string => `${(n / 1e6).toFixed(2)} M events/s`;
const lines = [
  `${total.toLocaleString('en')} events in ${records.length} batches of 64 KiB, median of ${runs} runs, one core:`,
  `  decode (avsc) and count, as the consumer does  ${perSecond(median(countRates))}`,
  `  decode alone (reference)                       ${perSecond(median(decodeRates))}`,
  `  ratio                                          ${(median(countRates) / median(decodeRates)).toFixed(2)}`,
];

const kafka = benchKafka(39192);
const infraConfig = kafka.config;

async function metric(aggregator: RunningAggregator, name: string): Promise<number> {
  return sumOf(await scrape(aggregator.url), name);
}

/** The process's CPU time so far, user and system together, in seconds. */
function cpuTotal(pid: number): number {
  const { user, system } = cpuSeconds(pid);
  return user + system;
}

await kafka.up();
const running: { stop(): Promise<unknown> }[] = [];
try {
  const producer = kafkaClient(infraConfig, 'bench-aggregate').producer({ idempotent: true });
  await producer.connect();
  const topic = infraConfig.kafka.eventsTopic;
  for (let i = 0; i < records.length; i += 8) {
    progress(`filling Kafka: ${i} of ${records.length} batches`);
    await producer.send({
      topic,
      acks: -1,
      messages: records.slice(i, i + 8).map((value) => ({ key: 'bench-observer', value })),
    });
  }
  await producer.disconnect();
  const aggregator = await startAggregator(['--kafka-brokers', infraConfig.kafka.brokers]);
  running.push(aggregator);
  const pid = aggregator.process.pid ?? 0;
  await waitFor(
    'the first count',
    async () => (await metric(aggregator, 'aggregator_events_total')) > 0,
    60_000,
  );
  const firstCount = await metric(aggregator, 'aggregator_events_total');
  const started = process.hrtime.bigint();
  const cpuBefore = cpuTotal(pid);
  await waitFor(
    'every event counted',
    async () => {
      const counted = await metric(aggregator, 'aggregator_events_total');
      progress(
        `through Kafka: ${counted.toLocaleString('en')} of ${total.toLocaleString('en')} events`,
      );
      return counted === total;
    },
    300_000,
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = (cpuTotal(pid) - cpuBefore) / seconds;
  lines.push(
    `through Kafka (kafkajs fetch, decode, count, one commit per fetch):`,
    `  ${perSecond((total - firstCount) / seconds)} at ${(cpu * 100).toFixed(0)}% of a core` +
      ` (${(total - firstCount).toLocaleString('en')} events after the first fetch)`,
  );

  if (values.latency) {
    const app = await startApp();
    running.push(app);
    const observer = await startObserver([
      '--pid',
      String(app.process.pid),
      '--kafka-brokers',
      infraConfig.kafka.brokers,
    ]);
    running.push(observer);
    progress(`latency: ${values.seconds} s of load`);
    const load = await benchJson([
      '-url',
      `${app.url}/ping`,
      '-dur',
      `${values.seconds}s`,
      '-rate',
      '2000',
      '-conns',
      '20',
    ]);
    await waitFor(
      'the last batch counted',
      async () => (await metric(aggregator, 'aggregator_consumer_lag_records')) === 0,
    );
    await sleep(1000);
    const text = await scrape(aggregator.url);
    const ms = (q: number): string =>
      `${(histogramQuantile(text, 'aggregator_event_delay_seconds', q) * 1000).toFixed(1)} ms`;
    lines.push(
      `kernel timestamp to counted (${load.requests.toLocaleString('en')} requests at 2,000/s, observer --batch-age 5):`,
      `  p50 ${ms(0.5)}  p99 ${ms(0.99)}  (per batch, its oldest event; bucket-interpolated)`,
    );
  }
} finally {
  for (const service of running.reverse()) await service.stop();
  await kafka.down();
  progress('');
}
process.stdout.write(`${lines.join('\n')}\n`);
