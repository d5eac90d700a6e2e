import { costVerdict, ratioInterval } from '@obscost/measure';
import type { Interval, JudgedRatio, Overhead, RoundResult } from '@obscost/report';
import { enteringRounds, leftOutNotes, type RoundFigure } from './left-out.js';

/** How the intervals are drawn and judged: --confidence, and --target as the verdict's tolerance. */
export interface IntervalSettings {
  confidence: number;
  target: number;
}

/** Below this share of one CPU in a closed run, the app did not set its capacity. */
export const SATURATED = 0.9;

/** Each round of `rounds` with the same round's reference, where there is one. */
export function pairedRounds(
  rounds: readonly RoundResult[],
  references: ReadonlyMap<number, RoundResult>,
): [RoundResult, RoundResult][] {
  return rounds.flatMap((r) => {
    const reference = references.get(r.round);
    return reference === undefined ? [] : [[r, reference] as [RoundResult, RoundResult]];
  });
}

const costOf = (name: keyof RoundResult['cost_us_per_request']): RoundFigure => ({
  name,
  of: (r) => r.cost_us_per_request[name],
});
const APP = costOf('app');
const TOTAL = costOf('total');
const NEIGHBOURS = costOf('neighbours');
/** The headline figures: CPU µs a request of the app, of the total, of the load generator. */
export const HEADLINE_FIGURES: readonly RoundFigure[] = [APP, TOTAL, NEIGHBOURS];
const P99: RoundFigure = { name: 'p99', of: (r) => r.latency_ms.p99 };
const CAPACITY: RoundFigure = { name: 'capacity', of: (r) => r.rps };

/**
 * The ratio of `figure` over the pairs with its interval, from the rounds whose two figures
 * a ratio can use (`rounds` says how many); undefined when none can (docs/statistics.md).
 */
export function ratioOf(
  pairs: readonly (readonly [RoundResult, RoundResult])[],
  figure: RoundFigure,
  settings: IntervalSettings,
): Interval | undefined {
  const { entered } = enteringRounds(pairs, figure);
  if (entered.length === 0) return undefined;
  return ratioInterval(entered, { confidence: settings.confidence });
}

function judged(interval: Interval, settings: IntervalSettings): JudgedRatio {
  return { ...interval, verdict: costVerdict(interval, { tolerance: settings.target }) };
}

/** Why the capacities of these rounds do not compare, or undefined when the app set both. */
export function capacityLimit(
  pairs: readonly (readonly [RoundResult, RoundResult])[],
): string | undefined {
  for (const [subject, reference] of pairs) {
    for (const [run, which] of [
      [reference, 'the baseline'],
      [subject, 'this scenario'],
    ] as const) {
      if (run.app_cpu_fraction < SATURATED) {
        return (
          `the app used ${run.app_cpu_fraction.toFixed(2)} of a CPU in ${which}'s closed run of ` +
          `round ${run.round}: something else set the capacity (the load generator, or what shares its CPUs)`
        );
      }
    }
  }
  return undefined;
}

/**
 * A scenario's costs against the same round's baseline: the headline (app, total and
 * neighbours µs a request), p99, and the capacity where the app was the bottleneck in both
 * closed runs of every round. Undefined when no round has its baseline.
 */
export function overheadOf(
  rounds: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
  settings: IntervalSettings,
): Overhead | undefined {
  const pairs = pairedRounds(rounds, baselines);
  const app = ratioOf(pairs, APP, settings);
  const total = ratioOf(pairs, TOTAL, settings);
  const neighbours = ratioOf(pairs, NEIGHBOURS, settings);
  const p99 = ratioOf(pairs, P99, settings);
  if (!app || !total || !neighbours || !p99) return undefined;
  const limit = capacityLimit(pairs);
  const capacity = limit === undefined ? ratioOf(pairs, CAPACITY, settings) : undefined;
  return {
    app: judged(app, settings),
    total: judged(total, settings),
    neighbours: judged(neighbours, settings),
    p99: judged(p99, settings),
    ...(capacity === undefined ? {} : { capacity }),
    ...(limit === undefined ? {} : { capacity_limit: limit }),
  };
}

/**
 * What the report says of each of a scenario's ratios that lost rounds (a figure of 0 in
 * either run): which figure, which rounds, whose run. The capacity only where it is a ratio.
 */
export function overheadNotes(
  name: string,
  rounds: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
): string[] {
  const pairs = pairedRounds(rounds, baselines);
  const figures = [
    ...HEADLINE_FIGURES,
    P99,
    ...(capacityLimit(pairs) === undefined ? [CAPACITY] : []),
  ];
  return leftOutNotes(name, pairs, figures);
}
