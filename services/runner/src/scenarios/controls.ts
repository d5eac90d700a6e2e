import { baseline } from './baseline.js';
import { nothing, type Scenario } from './scenario.js';

/** The controls' names in report.json's rounds: they are no scenario the user picks. */
export const CONTROL_NAMES = ['baseline-aa', 'calibration'] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

/** The A/A control: the baseline again, a fresh app of its own. */
export const baselineAa: Scenario<ControlName> = {
  ...baseline,
  name: 'baseline-aa',
  description: 'the baseline again: its ratios to the baseline must contain 1',
};

/**
 * The calibration: the baseline app spending `burnUs()` µs of CPU more a request
 * (APP_BURN_US). The cost is asked when the app starts: round 1's baseline sizes it.
 */
export function calibration(burnUs: () => number | undefined): Scenario<ControlName> {
  return {
    ...baseline,
    name: 'calibration',
    description: 'the baseline app with a known extra CPU cost a request (APP_BURN_US)',
    observe: () => {
      const burn = burnUs();
      if (burn === undefined) {
        return Promise.reject(new Error('no baseline has run yet to size the calibration from'));
      }
      return Promise.resolve(nothing({ APP_BURN_US: String(burn) }));
    },
  };
}

/**
 * The order of a round: the baseline first, then the scenarios; the A/A control right after
 * the baseline in odd rounds and last in even ones, so that neither position's drift is its
 * own; the calibration, where there is one (not on a named service), in the other place.
 */
export function roundOrder<S extends { name: string }>(
  scenarios: readonly S[],
  controls: { aa: S; calibration?: S } | undefined,
  round: number,
): S[] {
  if (controls === undefined) return [...scenarios];
  const [first, ...rest] = scenarios;
  if (first === undefined) return [];
  const [early, late] =
    round % 2 === 1 ? [controls.aa, controls.calibration] : [controls.calibration, controls.aa];
  return [first, ...(early ? [early] : []), ...rest, ...(late ? [late] : [])];
}
