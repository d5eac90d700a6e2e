import { costVerdict, ratioInterval, type RatioInterval, type RoundPair } from '@obscost/measure';
import type { Interval, JudgedRatio, Overhead, RoundResult } from '@obscost/report';

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

/**
 * The ratio of `pick` over the pairs (`pickReference` for the reference, when it differs),
 * with its interval; undefined when no pair has two positive figures (a figure of 0 has no
 * ratio: a run that served nothing, say).
 */
export function ratioOf(
  pairs: readonly (readonly [RoundResult, RoundResult])[],
  pick: (round: RoundResult) => number,
  settings: IntervalSettings,
  pickReference: (round: RoundResult) => number = pick,
): Interval | undefined {
  const figures: RoundPair[] = pairs
    .map(([subject, reference]) => ({
      subject: pick(subject),
      reference: pickReference(reference),
    }))
    .filter((pair) => pair.subject > 0 && pair.reference > 0);
  if (figures.length === 0) return undefined;
  return { ...ratioInterval(figures, { confidence: settings.confidence }) };
}

/** The report's interval as lib/measure's functions take it: both ends or none. */
export function measured(interval: Interval): RatioInterval {
  const { estimate, ci_low, ci_high, confidence, rounds } = interval;
  if (ci_low === null || ci_high === null) {
    return { estimate, ci_low: null, ci_high: null, confidence, rounds: 1 };
  }
  return { estimate, ci_low, ci_high, confidence, rounds };
}

function judged(interval: Interval, settings: IntervalSettings): JudgedRatio {
  return { ...interval, verdict: costVerdict(measured(interval), { tolerance: settings.target }) };
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
  const app = ratioOf(pairs, (r) => r.cost_us_per_request.app, settings);
  const total = ratioOf(pairs, (r) => r.cost_us_per_request.total, settings);
  const neighbours = ratioOf(pairs, (r) => r.cost_us_per_request.neighbours, settings);
  const p99 = ratioOf(pairs, (r) => r.latency_ms.p99, settings);
  if (!app || !total || !neighbours || !p99) return undefined;
  const limit = capacityLimit(pairs);
  const capacity = limit === undefined ? ratioOf(pairs, (r) => r.rps, settings) : undefined;
  return {
    app: judged(app, settings),
    total: judged(total, settings),
    neighbours: judged(neighbours, settings),
    p99: judged(p99, settings),
    ...(capacity === undefined ? {} : { capacity }),
    ...(limit === undefined ? {} : { capacity_limit: limit }),
  };
}
