import { controlHolds, median } from '@obscost/measure';
import type { AaControl, CalibrationControl, Interval, RoundResult } from '@obscost/report';
import { measured, pairedRounds, ratioOf, type IntervalSettings } from './overhead.js';

/** An interval of no round, for a control that never ran beside its baseline: it holds not. */
function notRun(settings: IntervalSettings): Interval {
  return { estimate: 1, ci_low: null, ci_high: null, confidence: settings.confidence, rounds: 1 };
}

/**
 * The calibration's cost when --calibration-us does not fix it: about a tenth of the
 * baseline's app µs a request, rounded, at least 1 µs, so it sits where the observers' costs do.
 */
export function calibrationBurnUs(baselineAppUs: number): number {
  return Math.max(1, Math.round(baselineAppUs / 10));
}

/**
 * The A/A control: a second baseline in every round, whose headline ratios to the first must
 * each have an interval containing 1; one that does not says the run cannot resolve costs
 * that small.
 */
export function aaControl(
  rounds: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
  settings: IntervalSettings,
): AaControl {
  const pairs = pairedRounds(rounds, baselines);
  const app = ratioOf(pairs, (r) => r.cost_us_per_request.app, settings) ?? notRun(settings);
  const total = ratioOf(pairs, (r) => r.cost_us_per_request.total, settings) ?? notRun(settings);
  const neighbours =
    ratioOf(pairs, (r) => r.cost_us_per_request.neighbours, settings) ?? notRun(settings);
  const holds = [app, total, neighbours].every((interval) => controlHolds(measured(interval)));
  return { holds, app, total, neighbours, rounds: [...rounds] };
}

/**
 * The calibration: the baseline app burning `burnUs` more a request. Its app µs a request
 * over the same round's baseline's plus `burnUs` must have an interval containing 1: the
 * run measures a known cost as that cost.
 */
export function calibrationControl(
  rounds: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
  burnUs: number,
  settings: IntervalSettings,
): CalibrationControl {
  const pairs = pairedRounds(rounds, baselines);
  const appUs = (r: RoundResult): number => r.cost_us_per_request.app;
  const ratio = ratioOf(pairs, appUs, settings, (r) => appUs(r) + burnUs) ?? notRun(settings);
  return {
    holds: controlHolds(measured(ratio)),
    burn_us: burnUs,
    extra_us:
      pairs.length === 0
        ? 0
        : median(pairs.map(([subject, reference]) => appUs(subject) - appUs(reference))),
    ratio,
    rounds: [...rounds],
  };
}
