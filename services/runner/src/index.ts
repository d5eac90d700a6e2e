export { runRound, type RoundSettings } from './comparison.js';
export { Infrastructure, type StartedCollector } from './infrastructure.js';
export { baseline } from './scenarios/baseline.js';
export { observerAlone, type ObserverAloneOptions } from './scenarios/observer.js';
export type { Observation, Scenario } from './scenarios/scenario.js';
export {
  aaControl,
  calibrationBurnUs,
  calibrationControl,
  controlNotes,
} from './control-figures.js';
export { overheadNotes, overheadOf, type IntervalSettings } from './overhead.js';
export { baselineAa, calibration, roundOrder } from './scenarios/controls.js';
