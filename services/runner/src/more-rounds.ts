import { halfWidth, preciseEnough } from '@obscost/measure';
import type { Interval, Overhead } from '@obscost/report';

/** How many rounds: --repeat fixes them; otherwise --min-rounds, then until known or --budget. */
export interface RoundsPlan {
  /** --repeat K: exactly K rounds. */
  fixed: number | undefined;
  minRounds: number;
  /** The half-width every headline interval must reach, as a ratio. */
  target: number;
  budgetMs: number;
}

/** Where the rounds stand after one: how many, for how long, the widest headline interval. */
export interface RoundsSoFar {
  done: number;
  elapsedMs: number;
  /**
   * The widest headline half-width; Infinity while an interval has one round; undefined when
   * there is no ratio to narrow (the baseline alone, or every other scenario failed).
   */
  widest: number | undefined;
}

/**
 * Whether to run another round. The minimum always runs (fewer rounds give no interval
 * worth the name); after it, another round while some headline interval is wider than the
 * target and the budget has room for a round as long as the average one so far.
 */
export function anotherRound(plan: RoundsPlan, sofar: RoundsSoFar): boolean {
  if (plan.fixed !== undefined) return sofar.done < plan.fixed;
  if (sofar.done < plan.minRounds) return true;
  // No ratio: more rounds would make nothing more precise.
  if (sofar.widest === undefined || sofar.widest <= plan.target) return false;
  const averageMs = sofar.done === 0 ? 0 : sofar.elapsedMs / sofar.done;
  return sofar.elapsedMs + averageMs <= plan.budgetMs;
}

/** Every headline interval of the scenarios, named "scenario figure" (e.g. "sidecar total"). */
export function headlineIntervals(
  scenarios: readonly { name: string; overhead?: Overhead | undefined }[],
): { name: string; interval: Interval }[] {
  return scenarios.flatMap(({ name, overhead }) =>
    overhead === undefined
      ? []
      : (['app', 'total', 'neighbours'] as const).map((figure) => ({
          name: `${name} ${figure}`,
          interval: overhead[figure],
        })),
  );
}

/**
 * The widest half-width among the intervals; undefined when there are none (only the
 * baseline ran, or every other scenario failed): there is no ratio, precise or not.
 */
export function widestHalfWidth(intervals: readonly { interval: Interval }[]): number | undefined {
  if (intervals.length === 0) return undefined;
  return Math.max(...intervals.map(({ interval }) => halfWidth(interval)));
}

/** The names of the intervals wider than the target: the figures that did not get there. */
export function notPrecise(
  intervals: readonly { name: string; interval: Interval }[],
  target: number,
): string[] {
  return intervals
    .filter(({ interval }) => !preciseEnough(interval, { target }))
    .map(({ name }) => name);
}

/**
 * Beside each run's own line (which names its round): the widest interval, the budget left;
 * nothing of a width where no scenario has a ratio to the baseline.
 */
export function describeProgress(widest: number | undefined, leftMs: number | undefined): string {
  const parts = [
    ...(widest === undefined
      ? []
      : [
          `widest ${Number.isFinite(widest) ? `±${(widest * 100).toFixed(1)}%` : 'no interval yet'}`,
        ]),
    ...(leftMs === undefined ? [] : [`${Math.max(0, Math.round(leftMs / 1000))} s of budget left`]),
  ];
  return parts.join(', ');
}
