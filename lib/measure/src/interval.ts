import { studentTCritical } from './student-t.js';

/** One round's pair: the figure under test and the same round's reference (its baseline). */
export interface RoundPair {
  readonly subject: number;
  readonly reference: number;
}

/** The confidence used when none is given, as report.json states it. */
export const DEFAULT_CONFIDENCE = 0.95;

/** A ratio from two rounds or more: the geometric mean of the rounds' ratios and its interval. */
export interface RatioWithInterval {
  readonly estimate: number;
  readonly ci_low: number;
  readonly ci_high: number;
  readonly confidence: number;
  readonly rounds: number;
}

/** A ratio from one round: a figure, but no spread to build an interval from. */
export interface RatioWithoutInterval {
  readonly estimate: number;
  readonly ci_low: null;
  readonly ci_high: null;
  readonly confidence: number;
  readonly rounds: 1;
}

/** What report.json gives for each overhead (docs/statistics.md). */
export type RatioInterval = RatioWithInterval | RatioWithoutInterval;

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
  const mean = logs.reduce((sum, value) => sum + value, 0) / rounds;
  const estimate = Math.exp(mean);
  if (rounds === 1) return { estimate, ci_low: null, ci_high: null, confidence, rounds: 1 };
  const variance = logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (rounds - 1);
  const margin = studentTCritical(confidence, rounds - 1) * Math.sqrt(variance / rounds);
  return {
    estimate,
    ci_low: Math.exp(mean - margin),
    ci_high: Math.exp(mean + margin),
    confidence,
    rounds,
  };
}
