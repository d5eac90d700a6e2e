import { controlHolds, median } from '@obscost/measure';
import type { AaControl, CalibrationControl, Interval, RoundResult } from '@obscost/report';
import { leftOutNotes, type RoundFigure } from './left-out.js';
import { HEADLINE_FIGURES, pairedRounds, ratioOf, type IntervalSettings } from './overhead.js';

/**
 * The interval of a control no round of which entered (it never ran beside its baseline, or
 * measured nothing): no round, no ends, and it holds not.
 */
function notRun(settings: IntervalSettings): Interval {
  return { estimate: 1, ci_low: null, ci_high: null, confidence: settings.confidence, rounds: 0 };
}

/** The calibration's figure: its app µs a request against the baseline's plus `burnUs`. */
function calibratedApp(burnUs: number): RoundFigure {
  return { name: 'app', of: (r) => r.cost_us_per_request.app, referencePlus: burnUs };
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
  const [app, total, neighbours] = HEADLINE_FIGURES.map(
    (figure) => ratioOf(pairs, figure, settings) ?? notRun(settings),
  ) as [Interval, Interval, Interval];
  const holds = [app, total, neighbours].every((interval) => controlHolds(interval));
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
  const ratio = ratioOf(pairs, calibratedApp(burnUs), settings) ?? notRun(settings);
  return {
    holds: controlHolds(ratio),
    burn_us: burnUs,
    extra_us:
      pairs.length === 0
        ? 0
        : median(pairs.map(([subject, reference]) => appUs(subject) - appUs(reference))),
    ratio,
    rounds: [...rounds],
  };
}

/** What the report says of the controls' ratios that lost rounds, as of a scenario's. */
export function controlNotes(
  aa: readonly RoundResult[],
  calibration: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
  burnUs: number,
): string[] {
  return [
    ...leftOutNotes('baseline-aa', pairedRounds(aa, baselines), HEADLINE_FIGURES),
    ...leftOutNotes('calibration', pairedRounds(calibration, baselines), [calibratedApp(burnUs)]),
  ];
}
