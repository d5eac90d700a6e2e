/**
 * The aggregator's throughput and delay, against issue 25's two targets, on a Kafka of one
 * node or three of the benchmark's own. Each run is fresh: its own aggregator process and
 * consumer group.
 *
 * 1. Throughput: event batches as the observer encodes them (64 KiB) pre-filled into the
 *    topic; each run, avsc decoding them alone in this process (the reference), then the
 *    real aggregator counting them through Kafka, first counted record to last. Target:
 *    through Kafka at 0.8 or more of avsc's decode rate, the ratio's interval over runs.
 * 2. With --latency, the delay: the app under load at 2,000 req/s, the real eBPF observer
 *    forwarding to that Kafka, and each run a fresh consumer (the aggregator's EventConsumer,
 *    in this process for its samples) from the current end of the topic; the app and the
 *    observer warmed up by --warmup s of the same load first. Per batch from this host whose
 *    oldest event came after the run's load began (not the backlog of the consumer's
 *    join), that event's kernel timestamp to its commit; p99 of the samples, not
 *    of histogram buckets; its parts: to the batch's send (batch age, drain), to the fetch,
 *    to the commit. Target: p99 20 ms or less, the interval over runs.
 *
 *   npm run bench:aggregate -- [--runs 5] [--events 6000000] [--nodes 1|3] [--latency]
 *     [--seconds 10] [--batch-age 5] [--warmup 10]
 */
import {
  encodeSnapshot,
  EventConsumer,
  parseAggregatorArgs,
  PartitionState,
} from '@obscost/aggregator';
import { cpuSeconds, intervalEnds, ratioInterval, scrape, sumOf } from '@obscost/measure';
import type { RatioInterval, RoundPair } from '@obscost/measure';
import { setting } from '@obscost/flags';
import { BatchEncoder, BatchReader, decodeBatch } from '@obscost/events';
import { benchJson, kafkaClient, startAggregator, startApp, startObserver } from '@obscost/infra';
import { waitFor } from '@obscost/process';
import { benchKafka } from './own-kafka.js';
import { benchmarkFlags, flag } from './settings.js';

const values = benchmarkFlags('bench:aggregate', "The aggregator's throughput and delay.", {
  runs: flag.runs(5),
  events: flag.count('events', 6_000_000, 'events a run'),
  nodes: setting.choice({
    flag: 'nodes',
    placeholder: 'N',
    default: '1',
    help: "Kafka's nodes: 1 or 3",
    choices: ['1', '3'] as const,
  }),
  latency: setting.switch({
    flag: 'latency',
    help: 'also the kernel-timestamp-to-counted delay, the app under load',
  }),
  seconds: flag.count('seconds', 10, 'load for the delay a run, in seconds'),
  batchAge: flag.count('batch-age', 5, "the observer's --batch-age, ms"),
  // Not sampled: a fresh app's and a fresh Kafka's first seconds under load are their JITs'.
  warmup: flag.count('warmup', 10, 'load before the delay runs, not sampled, in seconds'),
});
const { runs, events: total } = values;
const nodes = values.nodes === '3' ? 3 : 1;
const RATE_TARGET = 0.8;
const P99_TARGET_MS = 20;
const progress = (line: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
};

/** The batches, as the observer encodes them: every kind, a socket flag, one pid. */
function observerRecords(): Buffer[] {
  const WORDS = 8;
  const words = new Uint32Array(WORDS);
  const encoder = new BatchEncoder('bench-observer', 'bench-host', Date.now(), 64 * 1024);
  const records: Buffer[] = [];
  const processes = [{ pid: 4242, name: 'obscost-app' }];
  for (let i = 0; i < total; i++) {
    words.set([(1e9 + i * 1000) >>> 0, 0x44e, 100 + ((i * 7919) % 4000), 0, 4242, 4243, 17]);
    words[7] = ((i % 3 === 0 ? 0 : 1) << 16) | (1 + (i % 4));
    encoder.append(words, 0);
    if (encoder.full) records.push(encoder.close(records.length + 1, processes));
  }
  if (encoder.events > 0) records.push(encoder.close(records.length + 1, processes));
  return records;
}
const records = observerRecords();

/** avsc's decoding of every record, alone: the reference rate, events/s. */
function avscDecodeRate(): number {
  const start = process.hrtime.bigint();
  let events = 0;
  for (const record of records) events += decodeBatch(record).events.length;
  if (events !== total) throw new Error(`decoded ${events} events of ${total}`);
  return (total / Number(process.hrtime.bigint() - start)) * 1e9;
}

const FETCH_RECORDS = 16;

/** The consumer's work in this process: read, check and count, a state copy and snapshot per fetch. */
function readAndCountRate(): number {
  const reader = new BatchReader();
  const start = process.hrtime.bigint();
  let state = new PartitionState(false);
  for (let i = 0; i < records.length; i += FETCH_RECORDS) {
    const next = state.clone();
    records.slice(i, i + FETCH_RECORDS).forEach((record, n) => {
      const batch = reader.read(record);
      if (PartitionState.invalid(batch) === undefined) next.addColumns(batch, i + n, 0);
    });
    encodeSnapshot(next);
    state = next;
  }
  if (state.events !== total) throw new Error(`counted ${state.events} events of ${total}`);
  return (total / Number(process.hrtime.bigint() - start)) * 1e9;
}

const kafka = benchKafka(39192, { nodes });
const { brokers, eventsTopic: topic } = kafka.config.kafka;
const counted = async (url: string): Promise<number> =>
  sumOf(await scrape(url), 'aggregator_events_total');

/** One fresh aggregator process counting the pre-filled topic: events/s and CPU share. */
async function throughKafka(run: number): Promise<{ rate: number; cpu: number }> {
  const aggregator = await startAggregator(['--kafka-brokers', brokers, '--group', `rate-${run}`]);
  try {
    const pid = aggregator.process.pid ?? 0;
    await waitFor('the first count', async () => (await counted(aggregator.url)) > 0, 60_000);
    const first = await counted(aggregator.url);
    const started = process.hrtime.bigint();
    const { user, system } = cpuSeconds(pid);
    await waitFor('every event', async () => (await counted(aggregator.url)) === total, 120_000);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = cpuSeconds(pid);
    return {
      rate: (total - first) / seconds,
      cpu: (after.user + after.system - user - system) / seconds,
    };
  } finally {
    await aggregator.stop();
  }
}

async function fill(): Promise<void> {
  const producer = kafkaClient(kafka.config, 'bench-aggregate').producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < records.length; i += 8) {
    progress(`filling Kafka: ${i} of ${records.length} batches`);
    const messages = records.slice(i, i + 8).map((value) => ({ key: 'bench-observer', value }));
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

/** The value at quantile q of sorted values (nearest rank). */
const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
const mps = (rate: number): string => `${(rate / 1e6).toFixed(2)} M events/s`;
const ms = (ns: number): string => (ns / 1e6).toFixed(1);

interface DelayRun {
  samples: number;
  /** Each part's samples, sorted, in ns: whole, to the send, send to fetch, fetch to commit. */
  parts: Record<'whole' | 'toSend' | 'toFetch' | 'toCommit', number[]>;
}

const DELAY_RATE = 2000;

/** The app at DELAY_RATE requests a second for `seconds`. */
async function load(appUrl: string, seconds: number): Promise<void> {
  const rate = String(DELAY_RATE);
  await benchJson(['-url', `${appUrl}/ping`, '-dur', `${seconds}s`, '-rate', rate, '-conns', '20']);
}

/** A fresh consumer from the topic's current end, for `seconds` of the app under load. */
async function delayRun(run: number, appUrl: string): Promise<DelayRun> {
  const config = parseAggregatorArgs([
    '--kafka-brokers',
    brokers,
    '--group',
    `delay-${run}`,
    '--from-timestamp',
    String(Date.now()),
  ]);
  if (config === undefined) throw new Error('no aggregator configuration');
  const parts: DelayRun['parts'] = { whole: [], toSend: [], toFetch: [], toCommit: [] };
  let failure: unknown;
  const consumer = new EventConsumer(config, {
    log: () => undefined,
    fatal: (err) => {
      failure ??= err;
    },
  });
  // Only events of the load: the ones before it waited for the consumer to join.
  let loadStartNs = Infinity;
  consumer.onDelayParts = ({ kernelNs, sentNs, fetchedNs, committedNs }) => {
    if (kernelNs < loadStartNs) return;
    parts.whole.push(committedNs - kernelNs);
    parts.toSend.push(sentNs - kernelNs);
    parts.toFetch.push(fetchedNs - sentNs);
    parts.toCommit.push(committedNs - fetchedNs);
  };
  await consumer.start();
  try {
    await waitFor('the consumer joined', () => Promise.resolve(consumer.health().connected));
    loadStartNs = Number(process.hrtime.bigint());
    await load(appUrl, values.seconds);
    await waitFor('the last batch', () =>
      Promise.resolve([...consumer.health().lag.values()].every((lag) => lag === 0)),
    );
  } finally {
    await consumer.stop();
  }
  if (failure !== undefined) throw new Error('the consumer failed', { cause: failure });
  for (const samples of Object.values(parts)) samples.sort((a, b) => a - b);
  return { samples: parts.whole.length, parts };
}

function verdict(
  interval: RatioInterval,
  met: (end: number) => boolean,
  worst: 'low' | 'high',
): string {
  const ends = intervalEnds(interval);
  const range = ends
    ? `[${ends.low.toFixed(2)}, ${ends.high.toFixed(2)}]`
    : '(one run: no interval)';
  const end = ends ? ends[worst] : interval.estimate;
  return `${interval.estimate.toFixed(2)} ${range}: ${met(end) ? 'met' : 'not met'}`;
}

/** Each line as soon as it is known: a run cut short still shows its finished rounds. */
function say(...text: string[]): void {
  progress('');
  process.stdout.write(`${text.join('\n')}\n`);
}

await kafka.up();
const running: { stop(): Promise<unknown> }[] = [];
try {
  await fill();
  const pairs: RoundPair[] = [];
  for (let run = 0; run < runs; run++) {
    progress(`throughput: run ${run + 1} of ${runs}`);
    const reference = avscDecodeRate();
    const inProcess = readAndCountRate();
    const { rate, cpu } = await throughKafka(run);
    pairs.push({ subject: rate, reference });
    say(
      `run ${run + 1}: through Kafka ${mps(rate)} at ${(cpu * 100).toFixed(0)}% of a core; ` +
        `in process, read and count ${mps(inProcess)}; avsc decode alone ${mps(reference)}`,
    );
  }
  const rateRatio = ratioInterval(pairs);
  say(
    `${total.toLocaleString('en')} events in ${records.length} batches of 64 KiB, Kafka of ${nodes} node(s), ${runs} fresh runs`,
    `through Kafka / avsc decode alone (target >= ${RATE_TARGET}): ${verdict(rateRatio, (end) => end >= RATE_TARGET, 'low')}`,
  );
  if (values.latency) {
    const app = await startApp();
    running.push(app);
    const pid = String(app.process.pid);
    const batchAge = ['--batch-age', String(values.batchAge)];
    running.push(await startObserver(['--pid', pid, '--kafka-brokers', brokers, ...batchAge]));
    progress('delay: warming the app and the observer up');
    await load(app.url, values.warmup);
    const p99s: RoundPair[] = [];
    for (let run = 0; run < runs; run++) {
      progress(`delay: run ${run + 1} of ${runs}`);
      const { samples, parts } = await delayRun(run, app.url);
      const at = (q: number): string =>
        (['whole', 'toSend', 'toFetch', 'toCommit'] as const)
          .map((part) => `${part} ${ms(quantile(parts[part], q))}`)
          .join(', ');
      say(`run ${run + 1}: ${samples} batches; p50 ${at(0.5)}; p99 ${at(0.99)} (ms)`);
      p99s.push({ subject: quantile(parts.whole, 0.99) / 1e6, reference: P99_TARGET_MS });
    }
    say(
      `delay p99 / ${P99_TARGET_MS} ms, observer --batch-age ${values.batchAge} (target <= 1): ${verdict(ratioInterval(p99s), (end) => end <= 1, 'high')}`,
    );
  }
} finally {
  for (const service of running.reverse()) await service.stop();
  await kafka.down();
  progress('');
}
