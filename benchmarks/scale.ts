/**
 * Past one host: what a three-broker Kafka and a group of aggregators change.
 *
 * 1. Brokers: the real observer forwarding a paced write() producer to a Kafka of the
 *    benchmark's own (acks=all, idempotent), one broker against three (replication 3, min ISR
 *    2), alternating within each round; events Kafka acknowledged a second, loss, the wait
 *    for the last acknowledgement, the observer's CPU.
 * 2. Aggregators: a topic of twelve partitions filled by 24 observers' batches (three hosts),
 *    counted by 1, 2 and 3 aggregators in a new group each, in rotating order; the rate from
 *    the moment the group is stable to the last event, and whether every host's total is exact.
 * 3. Rebalances: two aggregators under load, a third joins, one is killed -9: how long each
 *    holds counting up (sampled every 50 ms), and whether the totals end exact.
 *
 * Medians over fresh processes a round, with the range; ratios with their 95% interval over
 * the rounds (lib/measure's ratioInterval, docs/statistics.md).
 *
 *   npm run bench:scale -- [--runs 3] [--short]
 */
import { median, ratioInterval, type RoundPair } from '@obscost/measure';
import { setting } from '@obscost/flags';
import { benchKafka, type BenchKafka } from './own-kafka.js';
import { throughBrokers, type BrokerRun } from './scale-brokers.js';
import {
  countWithGroup,
  PARTITIONS,
  rebalanceHolds,
  type GroupRun,
  type Holds,
} from './scale-group.js';
import { benchmarkFlags, flag } from './settings.js';

const values = benchmarkFlags(
  'bench:scale',
  'One broker against three; one, two and three aggregators.',
  {
    runs: flag.runs(3),
    short: setting.switch({
      flag: 'short',
      help: 'one rate, 1 s of it, a quarter of the events: about 2.5 minutes',
    }),
  },
);
const short = values.short;
const runs = values.runs;
const RATES = short ? [250_000] : [250_000, 1_000_000];
const SECONDS = short ? 1 : 3;
const WAVES = short ? 20 : 80;
const AGGREGATORS = [1, 2, 3];

const progress = (line: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
};

const number = (n: number, digits = 0): string =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const millions = (n: number): string => `${number(n / 1e6, 2)} M/s`;
/** The median and the range of the runs. */
const spread = (xs: number[], show: (n: number) => string): string =>
  `${show(median(xs))} (${show(Math.min(...xs))}–${show(Math.max(...xs))})`;
const ratio = (pairs: RoundPair[]): string => {
  if (pairs.length === 0 || pairs.some((p) => !(p.subject > 0 && p.reference > 0))) return 'n/a';
  const r = ratioInterval(pairs);
  return r.ci_low === null || r.ci_high === null
    ? number(r.estimate, 2)
    : `${number(r.estimate, 2)} (${number(r.ci_low, 2)}–${number(r.ci_high, 2)})`;
};

const one = benchKafka(39292, { partitions: PARTITIONS });
const three = benchKafka(39392, { nodes: 3, partitions: PARTITIONS });
const kafkas: { nodes: 1 | 3; kafka: BenchKafka }[] = [
  { nodes: 1, kafka: one },
  { nodes: 3, kafka: three },
];
const lines: string[] = [];
try {
  progress('starting a one-broker and a three-broker Kafka');
  await Promise.all(kafkas.map(({ kafka }) => kafka.up()));
  const brokerRuns = new Map<string, BrokerRun[]>();
  const groupRuns = new Map<number, GroupRun[]>();
  const holds: Holds[] = [];
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? kafkas : [...kafkas].reverse();
    for (const rate of RATES) {
      for (const { nodes, kafka } of order) {
        progress(
          `round ${round + 1} of ${runs}: ${number(rate)} events/s through ${nodes} broker(s)`,
        );
        const key = `${rate}/${nodes}`;
        const run = await throughBrokers(kafka.config.kafka.brokers, rate, rate * SECONDS);
        brokerRuns.set(key, [...(brokerRuns.get(key) ?? []), run]);
      }
    }
    const config = one.config;
    for (let i = 0; i < AGGREGATORS.length; i++) {
      const count = AGGREGATORS[(i + round) % AGGREGATORS.length] ?? 1;
      progress(`round ${round + 1} of ${runs}: ${count} aggregator(s) counting`);
      const run = await countWithGroup(
        config,
        count,
        `bench-scale-${process.pid}-${round}-${count}`,
        WAVES,
      );
      groupRuns.set(count, [...(groupRuns.get(count) ?? []), run]);
    }
    progress(`round ${round + 1} of ${runs}: a join and a kill -9 under load`);
    holds.push(await rebalanceHolds(config, `bench-scale-${process.pid}-${round}-holds`));
  }
  progress('');
  lines.push(
    `Brokers: the observer forwarding ${SECONDS} s of write() calls (acks=all, idempotent), ${runs} rounds:`,
  );
  for (const rate of RATES) {
    for (const nodes of [1, 3]) {
      const rs = brokerRuns.get(`${rate}/${nodes}`) ?? [];
      lines.push(
        `  ${number(rate)}/s, ${nodes} broker${nodes === 1 ? ' ' : 's'}: acknowledged ${spread(
          rs.map((r) => r.delivered),
          millions,
        )}` +
          `, last ack ${spread(
            rs.map((r) => r.drainMs),
            (n) => `${number(n)} ms`,
          )} after the last write` +
          `, observer CPU ${spread(
            rs.map((r) => r.cpu * 100),
            (n) => `${number(n)}%`,
          )}, lost ${rs.reduce((a, r) => a + r.lost, 0)}`,
      );
    }
    const pairs = (brokerRuns.get(`${rate}/3`) ?? []).map((r, i) => ({
      subject: r.delivered,
      reference: brokerRuns.get(`${rate}/1`)?.[i]?.delivered ?? 0,
    }));
    lines.push(`  ${number(rate)}/s: three brokers' rate over one broker's ${ratio(pairs)}`);
  }
  lines.push(
    `Aggregators over ${PARTITIONS} partitions, one broker, counting as a stable group's topic fills` +
      ` (three producers, acks=all), from the fill's start to the last event:`,
  );
  for (const count of AGGREGATORS) {
    const rs = groupRuns.get(count) ?? [];
    const pairs = rs.map((r, i) => ({
      subject: r.rate,
      reference: groupRuns.get(1)?.[i]?.rate ?? 0,
    }));
    lines.push(
      `  ${count}: ${spread(
        rs.map((r) => r.rate),
        millions,
      )} (fill ${spread(
        rs.map((r) => r.fillRate),
        millions,
      )}), exact ${rs.filter((r) => r.exact).length} of ${rs.length}` +
        (count === 1 ? '' : `, over one: ${ratio(pairs)}`),
    );
  }
  lines.push(
    `Rebalances under load (two aggregators, a third joins, one is killed -9; sampled every 50 ms):`,
    `  held up by the join ${spread(
      holds.map((h) => h.join),
      (n) => `${number(n)} ms`,
    )}` +
      `, by the kill ${spread(
        holds.map((h) => h.kill),
        (n) => `${number(n)} ms`,
      )}` +
      `; exact at the end ${holds.filter((h) => h.exact).length} of ${holds.length}`,
  );
} finally {
  progress('');
  await Promise.all([one.down(), three.down()]);
}
process.stdout.write(`${lines.join('\n')}\n`);
