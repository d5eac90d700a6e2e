import { intervalEnds, type RatioInterval } from './interval.js';

/**
 * What a cost's interval lets the report say: `cost` (even its low end is above 1),
 * `no-cost-above` (it reaches 1 or below, and its high end is within the tolerance: "no cost
 * measurable above ci_high"), `inconclusive` (neither: more rounds would tell).
 */
export type CostVerdict = 'cost' | 'no-cost-above' | 'inconclusive';

/** The tolerance and the precision target when none is given: 3 percentage points. */
export const DEFAULT_TOLERANCE = 0.03;

export interface VerdictOptions {
  /** How far above 1 the high end may reach for `no-cost-above`; DEFAULT_TOLERANCE when unset. */
  readonly tolerance?: number | undefined;
}

/** The verdict on a cost given as a ratio to its baseline; one round is always inconclusive. */
export function costVerdict(interval: RatioInterval, options: VerdictOptions = {}): CostVerdict {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const ends = intervalEnds(interval);
  if (ends === undefined) return 'inconclusive';
  if (ends.low > 1) return 'cost';
  if (ends.high <= 1 + tolerance) return 'no-cost-above';
  return 'inconclusive';
}

/**
 * Whether the interval contains `value`, an expected ratio. One round has no interval, so
 * nothing is shown to hold.
 */
export function intervalCovers(interval: RatioInterval, value: number): boolean {
  const ends = intervalEnds(interval);
  return ends !== undefined && ends.low <= value && value <= ends.high;
}

/**
 * A control holds when its ratio's interval contains 1: an A/A control (a second baseline
 * over the first), or a calibration (the app burning N µs over the baseline's figure plus N).
 */
export function controlHolds(interval: RatioInterval): boolean {
  return intervalCovers(interval, 1);
}

/**
 * The farther of the interval's ends from the estimate, as a ratio (0.03 is ±3 percentage
 * points): the interval is asymmetric around the estimate, and the promise is about both
 * ends. Infinite for one round or none, which have no interval.
 */
export function halfWidth(interval: RatioInterval): number {
  const ends = intervalEnds(interval);
  if (ends === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(ends.high - interval.estimate, interval.estimate - ends.low);
}

export interface PrecisionOptions {
  /** The half-width to reach; DEFAULT_TOLERANCE (±3 percentage points) when unset. */
  readonly target?: number | undefined;
}

/** Whether the interval is narrower than the target on both sides of its estimate. */
export function preciseEnough(interval: RatioInterval, options: PrecisionOptions = {}): boolean {
  return halfWidth(interval) <= (options.target ?? DEFAULT_TOLERANCE);
}
