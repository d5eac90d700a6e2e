import { studentTCritical } from './student-t.js';
import { mean, sampleVariance } from './stats.js';

/** One round's pair: the figure under test and the same round's reference (its baseline). */
export interface RoundPair {
  readonly subject: number;
  readonly reference: number;
}

/** The confidence used when none is given, as report.json states it. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * A ratio to the same round's reference over the rounds that entered it, with its interval:
 * what report.json gives for each overhead (its `interval`, docs/statistics.md). From one
 * round, or none, the ends are null: there is no spread to build an interval from, and
 * nothing downstream can mistake a NaN for a figure.
 */
export interface RatioInterval {
  /** The geometric mean of the rounds' ratios. */
  readonly estimate: number;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly confidence: number;
  /** The rounds that entered the ratio: a round left out is not counted. */
  readonly rounds: number;
}

/** The interval's ends, or undefined when it has none (one round, or none). */
export function intervalEnds(interval: RatioInterval): { low: number; high: number } | undefined {
  const { ci_low: low, ci_high: high } = interval;
  return low === null || high === null ? undefined : { low, high };
}

export interface IntervalOptions {
  /** Two-sided confidence, strictly between 0 and 1; DEFAULT_CONFIDENCE when unset. */
  readonly confidence?: number | undefined;
}

function logRatio(pair: RoundPair, round: number): number {
  const { subject, reference } = pair;
  if (!(subject > 0 && reference > 0 && Number.isFinite(subject) && Number.isFinite(reference))) {
    throw new RangeError(
      `round ${round + 1}: a ratio needs two positive finite figures, got ${subject} / ${reference}`,
    );
  }
  return Math.log(subject / reference);
}

/**
 * The ratio subject/reference over rounds, with its interval: a Student t interval on the
 * mean of the rounds' log-ratios, taken back with exp. Within a round the two figures share
 * the machine's state, which cancels in the ratio; their own noises, drawn alike by fresh
 * processes, leave the log-ratio symmetric about the true ratio's log, where the t interval
 * keeps its coverage even with heavy tails (docs/statistics.md).
 */
export function ratioInterval(
  pairs: readonly RoundPair[],
  options: IntervalOptions = {},
): RatioInterval {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  }
  if (pairs.length === 0) throw new RangeError('a ratio needs at least one round');
  const logs = pairs.map(logRatio);
  const rounds = logs.length;
  const centre = mean(logs);
  const estimate = Math.exp(centre);
  if (rounds === 1) return { estimate, ci_low: null, ci_high: null, confidence, rounds };
  const margin =
    studentTCritical(confidence, rounds - 1) * Math.sqrt(sampleVariance(logs) / rounds);
  return {
    estimate,
    ci_low: Math.exp(centre - margin),
    ci_high: Math.exp(centre + margin),
    confidence,
    rounds,
  };
}
