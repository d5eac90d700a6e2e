/**
 * How long a broker's death stalls the observer: a fresh three-node Kafka (12 partitions), the
 * app under open-model load with the observer forwarding its events (acks=all, idempotent),
 * and in each round a kill -9 of the node leading the observer's partition, a few seconds into
 * the load. The stall is the longest time the observer had batches closed and none
 * acknowledged, sampled every 100 ms. Between rounds the node comes back and leads again, so
 * every round starts from the same state. Reports each round, the median with a
 * distribution-free interval (order statistics), and the mean with its Student t interval.
 *
 *   npm run bench:failover -- [--controller] [--runs 5] [--rate 500] [--dur 10s]
 *
 * --controller kills the active KRaft controller, the worst case: the survivors elect a new
 * one before it can fence the dead broker. Each round's observer is new, its id chosen so that
 * its key's partition is led by the node to be killed.
 */
import path from 'node:path';
import { EXIT, onShutdown } from '@obscost/errors';
import { setting } from '@obscost/flags';
import {
  benchJson,
  kafkaLibs,
  observerPartition,
  ROOT,
  partitionLeadership,
  startApp,
  startKafkaNode,
  startObserver,
  stopKafkaNode,
  type InfraConfig,
  type RunningApp,
} from '@obscost/infra';
import {
  mean,
  median,
  observerCaughtUp,
  observerStall,
  sampleVariance,
  scrape,
  studentTCritical,
  sumOf,
} from '@obscost/measure';
import { listening, runToEnd, sleep, waitFor } from '@obscost/process';
import { benchKafka } from './own-kafka.js';
import { benchmarkFlags, flag } from './settings.js';

const values = benchmarkFlags('bench:failover', "How long a broker's death stalls the observer.", {
  runs: flag.runs(5),
  dur: flag.dur('10s'),
  rate: setting.integer({
    flag: 'rate',
    placeholder: 'R',
    default: '500',
    min: 1,
    max: 100_000,
    help: "the app's load, requests/s (open model)",
  }),
  controller: setting.switch({
    flag: 'controller',
    help: "kill the active KRaft controller (leading the observer's partition), not another node",
  }),
  json: setting.switch({ flag: 'json', help: 'print every round as JSON' }),
});

/** Six ports from here, out of the way of the defaults and of the other benchmarks' 39092. */
const KAFKA_PORT = 39192;
const PARTITIONS = 12;
/** Load before the kill, so that the observer produces at its steady rate. */
const LEAD_IN_MS = 3_000;

interface Round {
  node: number;
  /** Whether the killed node was also the active KRaft controller. */
  controller: boolean;
  stall_s: number;
  buffered_bytes: number;
  requests: number;
}

/** The active controller's node id, from the quorum (infra/kafka/DescribeQuorum.java). */
async function activeController(config: InfraConfig): Promise<number> {
  const describe = path.join(ROOT, 'infra/kafka/DescribeQuorum.java');
  const { code, stdout, stderr } = await runToEnd('java', [
    ...['-cp', `${kafkaLibs(config)}/*`, describe, config.kafka.brokers],
  ]);
  if (code !== 0) throw new Error(`DescribeQuorum failed: ${stderr.trim()}`);
  return (JSON.parse(stdout) as { leaderId: number }).leaderId;
}

/**
 * The median's distribution-free interval: the k-th smallest and k-th largest of n rounds,
 * with k the largest that keeps the confidence at least 90% (for 5 rounds, the extremes:
 * 93.75%).
 */
function medianInterval(sorted: number[]): { low: number; high: number; confidence: number } {
  const n = sorted.length;
  const binomial = (k: number): number => {
    let c = 1;
    for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
    return c / 2 ** n;
  };
  let k = 1;
  let below = binomial(0);
  while (k + 1 <= n / 2 && 1 - 2 * (below + binomial(k)) >= 0.9) below += binomial(k++);
  return { low: sorted[k - 1] ?? NaN, high: sorted[n - k] ?? NaN, confidence: 1 - 2 * below };
}

/**
 * The node to kill (the active controller, or the lowest other node) and an observer id whose
 * key maps to a partition that node leads: the observer of the round.
 */
async function victim(
  config: InfraConfig,
): Promise<{ node: number; partition: number; id: string }> {
  const controller = await activeController(config);
  const node = values.controller ? controller : controller === 1 ? 2 : 1;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const { leader } = await partitionLeadership(config, config.kafka.eventsTopic, partition);
    if (leader !== node) continue;
    for (let n = 0; ; n++) {
      const id = `failover-bench-${n}`;
      if (observerPartition(id, PARTITIONS) === partition) return { node, partition, id };
    }
  }
  throw new Error(`node ${node} leads no partition of ${config.kafka.eventsTopic}`);
}

async function round(
  config: InfraConfig,
  app: RunningApp,
  children: Set<{ stop(): Promise<unknown> }>,
): Promise<Round> {
  const { node, partition, id } = await victim(config);
  const observer = await startObserver([
    ...['--pid', String(app.process.pid), '--kafka-brokers', config.kafka.brokers],
    ...['--observer-id', id],
  ]);
  children.add(observer);
  try {
    const load = benchJson(
      [
        ...['-url', `${app.url}/ping`, '-conns', '8'],
        ...['-rate', String(values.rate), '-dur', `${values.dur / 1000}s`],
      ],
      { timeoutMs: values.dur + 60_000 },
    );
    const work = (async () => {
      await sleep(LEAD_IN_MS);
      await stopKafkaNode(config, node, 'SIGKILL');
      await load;
      // A stall still going when the load ends is measured to its end.
      await waitFor('the observer to catch up', () => observerCaughtUp(observer.url), 60_000, 100);
    })();
    const { stallS, bufferedBytes } = await observerStall(observer.url, work);
    const dropped = sumOf(await scrape(observer.url), 'observer_dropped_events_total');
    if (dropped !== 0) throw new Error(`the observer dropped ${dropped} events`);
    const result = await load;
    await startKafkaNode(config, node);
    await waitFor(
      'every replica in sync and the preferred leader leading',
      async () => {
        const now = await partitionLeadership(config, config.kafka.eventsTopic, partition);
        return now.inSync.length === 3 && now.leader === now.preferred;
      },
      90_000,
      250,
    );
    return {
      node,
      controller: values.controller,
      stall_s: stallS,
      buffered_bytes: bufferedBytes,
      requests: result.requests,
    };
  } finally {
    children.delete(observer);
    await observer.stop();
  }
}

if (await listening(KAFKA_PORT))
  throw new Error(
    `port ${KAFKA_PORT} is taken: bench:failover needs ${KAFKA_PORT}-${KAFKA_PORT + 5}`,
  );
const kafka = benchKafka(KAFKA_PORT, { nodes: 3, partitions: PARTITIONS });
const rounds: Round[] = [];
const children = new Set<{ stop(): Promise<unknown> }>();
// Interrupted, the processes and the cluster (about 1 GB) must go all the same.
onShutdown(['SIGINT', 'SIGTERM'], () => {
  void Promise.all([...children].map((child) => child.stop()))
    .then(() => kafka.down())
    .finally(() => process.exit(EXIT.interrupted));
});
try {
  await kafka.up();
  const app = await startApp();
  children.add(app);
  try {
    for (let i = 0; i < values.runs; i++) {
      const done = await round(kafka.config, app, children);
      rounds.push(done);
      process.stderr.write(`round ${i + 1}: node ${done.node}, ${done.stall_s.toFixed(1)} s\n`);
    }
  } finally {
    await app.stop();
  }
} finally {
  await kafka.down();
}

const stalls = rounds.map((r) => r.stall_s).sort((a, b) => a - b);
const interval = medianInterval(stalls);
const centre = mean(stalls);
const margin =
  rounds.length > 1
    ? studentTCritical(0.95, rounds.length - 1) * Math.sqrt(sampleVariance(stalls) / rounds.length)
    : NaN;
if (values.json) process.stdout.write(`${JSON.stringify({ rounds, interval }, null, 2)}\n`);
process.stdout.write(
  [
    `kill -9 of the observer's partition leader${values.controller ? ', the active controller' : ', not the controller'}, ${values.rate} req/s, ${rounds.length} rounds:`,
    ...rounds.map(
      (r, i) =>
        `  round ${i + 1}: node ${r.node} stalled the observer ${r.stall_s.toFixed(1)} s, ${r.buffered_bytes} bytes buffered at most`,
    ),
    `median ${median(stalls).toFixed(1)} s (${(interval.confidence * 100).toFixed(1)}% interval ${interval.low.toFixed(1)}–${interval.high.toFixed(1)} s); ` +
      `mean ${centre.toFixed(1)} s ± ${margin.toFixed(1)} (95%); longest ${Math.max(...stalls).toFixed(1)} s`,
  ].join('\n') + '\n',
);
