import { EVENT_METRICS } from '@obscost/events';
import {
  kafkaClient,
  ObserverFleet,
  startAggregator,
  type InfraConfig,
  type RunningAggregator,
} from '@obscost/infra';
import { parseExposition, scrape, sumOf } from '@obscost/measure';
import { sleep, waitFor } from '@obscost/process';
import { fillByHost } from './scale-fleet.js';

/**
 * bench:scale's aggregators: several in one consumer group over twelve partitions, how fast
 * they count together and whether exactly, and how long a rebalance holds counting up.
 */

const CALLS = EVENT_METRICS.uprobe.events;
export const PARTITIONS = 12;
const HOSTS = ['host-1', 'host-2', 'host-3'];
/** Eight observers a host, each its own key: their batches reach every partition. */
const PER_HOST = 8;

let topics = 0;

/** A fresh events topic and its dead-letter topic; the aggregator flags for them. */
async function freshTopic(config: InfraConfig): Promise<{ topic: string; args: string[] }> {
  const topic = `bench-scale-${process.pid}-${++topics}`;
  const admin = kafkaClient(config, 'bench-scale').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: PARTITIONS, replicationFactor: 1 },
        { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const args = ['--kafka-brokers', config.kafka.brokers, '--topic', topic];
  return { topic, args: [...args, '--dlq-topic', `${topic}.dlq`] };
}

/** The group's members once it is stable, polled. */
async function stableMembers(config: InfraConfig, group: string): Promise<number> {
  const admin = kafkaClient(config, 'bench-scale').admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]?.state === 'Stable' ? groups[0].members.length : 0;
  } finally {
    await admin.disconnect();
  }
}

async function scrapeAll(aggregators: RunningAggregator[]): Promise<string> {
  return (await Promise.all(aggregators.map((a) => scrape(a.url)))).join('\n');
}

function hostTotals(exposition: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const s of parseExposition(exposition)) {
    if (s.name === CALLS)
      totals.set(s.labels.host ?? '', (totals.get(s.labels.host ?? '') ?? 0) + s.value);
  }
  return totals;
}

const sameTotals = (a: Map<string, number>, b: Map<string, number>): boolean =>
  a.size === b.size && [...a].every(([host, n]) => b.get(host) === n);

export interface GroupRun {
  /** Events a second the group counted, from the fill's start to the last event. */
  rate: number;
  /** Events a second the fill reached (acks=all, a producer a host): the most the group can count. */
  fillRate: number;
  exact: boolean;
}

/**
 * `count` aggregators in a new group over a fresh topic: once the group is stable with all of
 * them, the topic is filled (`waves` waves of ~33k events a host, a producer a host) and
 * counted as it fills, so their joins are left out.
 */
export async function countWithGroup(
  config: InfraConfig,
  count: number,
  group: string,
  waves: number,
): Promise<GroupRun> {
  const { topic, args } = await freshTopic(config);
  const aggregators = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      startAggregator([...args, '--group', group, '--instance-id', `${group}-${i}`]),
    ),
  );
  try {
    await waitFor(
      'the group stable',
      async () => (await stableMembers(config, group)) === count,
      60_000,
      50,
    );
    const shape = { hosts: HOSTS, perHost: PER_HOST, eventsPerBatch: 4096 };
    const started = performance.now();
    const truth = await fillByHost(config, topic, shape, waves);
    const filled = performance.now();
    const events = [...truth.values()].reduce((a, b) => a + b, 0);
    const counted = (text: string): number => sumOf(text, 'aggregator_events_total');
    let text = '';
    await waitFor(
      'every event counted',
      async () => {
        text = await scrapeAll(aggregators);
        return counted(text) >= events;
      },
      120_000,
      20,
    );
    const seconds = (performance.now() - started) / 1000;
    const exact =
      counted(text) === events &&
      sameTotals(hostTotals(text), truth) &&
      sumOf(text, 'aggregator_duplicate_batches_total') === 0;
    return { rate: events / seconds, fillRate: events / ((filled - started) / 1000), exact };
  } finally {
    await Promise.all(aggregators.map((a) => a.stop()));
  }
}

/**
 * Every 50 ms, the live aggregators' sum over complete looks: those in which every partition
 * seen before is exported (during a rebalance a partition is exported by none, and a dead
 * aggregator's partitions by none until the group notices). A rise is a complete look above
 * every one before it.
 */
class HoldSampler {
  private readonly rises: number[] = [];
  private readonly partitions = new Set<string>();
  private highest = -1;
  private running = true;
  private readonly done: Promise<void>;

  constructor(live: () => RunningAggregator[]) {
    this.done = (async () => {
      while (this.running) {
        const at = performance.now();
        const text = await scrapeAll(live()).catch(() => undefined);
        if (text !== undefined) this.look(at, text);
        await sleep(50);
      }
    })();
  }

  private look(at: number, text: string): void {
    const calls = parseExposition(text).filter((s) => s.name === CALLS);
    const seen = new Set(calls.map((s) => s.labels.partition ?? ''));
    const complete = [...this.partitions].every((p) => seen.has(p));
    for (const p of seen) this.partitions.add(p);
    const sum = calls.reduce((total, s) => total + s.value, 0);
    if (complete && sum > this.highest) {
      this.highest = sum;
      this.rises.push(at);
    }
  }

  /** The longest time between rises from the last rise before `from` on, in ms. */
  longestHold(from: number): number {
    const start = this.rises.findLastIndex((at) => at <= from);
    let longest = 0;
    for (let i = Math.max(start, 0) + 1; i < this.rises.length; i++) {
      longest = Math.max(longest, (this.rises[i] ?? 0) - (this.rises[i - 1] ?? 0));
    }
    return longest;
  }

  lastRise(): number {
    return this.rises.at(-1) ?? 0;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

export interface Holds {
  /** ms counting held up when a third aggregator joined two. */
  join: number;
  /** ms counting held up when one of three was killed -9: its session timeout, then a rebalance. */
  kill: number;
  exact: boolean;
}

/** Two aggregators under load, a third joins, then one is killed -9; the holds each caused. */
export async function rebalanceHolds(config: InfraConfig, group: string): Promise<Holds> {
  const { topic, args } = await freshTopic(config);
  const fleet = new ObserverFleet(config, topic, {
    hosts: HOSTS,
    perHost: PER_HOST,
    eventsPerBatch: 20,
  });
  const live: RunningAggregator[] = [];
  const all: RunningAggregator[] = [];
  const start = async (id: string): Promise<RunningAggregator> => {
    const aggregator = await startAggregator([
      ...args,
      '--group',
      group,
      '--instance-id',
      `${group}-${id}`,
    ]);
    live.push(aggregator);
    all.push(aggregator);
    return aggregator;
  };
  const sampler = new HoldSampler(() => [...live]);
  try {
    await Promise.all([start('a'), start('b')]);
    await fleet.start(20);
    /** Every live aggregator exports partitions, and the sum rose after that. */
    const settled = async (what: string): Promise<void> => {
      await waitFor(
        what,
        async () =>
          (await Promise.all(live.map((a) => scrape(a.url)))).every((t) => t.includes(CALLS)),
        60_000,
        50,
      );
      const owned = performance.now();
      await waitFor(`${what}, counting`, () => sampler.lastRise() > owned, 60_000, 50);
    };
    await settled('two aggregators counting');
    const joined = performance.now();
    await start('c');
    await settled('three aggregators counting');
    const join = sampler.longestHold(joined);
    const victim = live.splice(1, 1)[0];
    const killed = performance.now();
    if (victim?.pid !== undefined) process.kill(victim.pid, 'SIGKILL');
    await settled('two left counting');
    const kill = sampler.longestHold(killed);
    await fleet.stop();
    let totals = new Map<string, number>();
    await waitFor(
      'every batch counted',
      async () => sameTotals((totals = hostTotals(await scrapeAll(live))), fleet.truth),
      60_000,
      50,
    ).catch(() => undefined);
    return { join, kill, exact: sameTotals(totals, fleet.truth) };
  } finally {
    await sampler.stop();
    await fleet.stop().catch(() => undefined);
    await Promise.all(all.map((a) => a.stop()));
  }
}
