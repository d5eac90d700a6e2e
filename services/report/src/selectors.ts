import type { Accuracy, Approach, ScenarioReport } from './report.js';

/** What the tables and the charts both pick out of a scenario, picked out the same way. */

/** A scenario whose figures are shown: skipped and failed ones show their reason instead. */
export function measured(scenario: ScenarioReport): boolean {
  return scenario.status === 'ok';
}

/** The processes a scenario added to the app: everything measured but the app and the bench. */
export function addedProcesses(scenario: ScenarioReport) {
  return scenario.processes
    .map((process, index) => ({ process, index }))
    .filter(({ process }) => process.name !== 'app' && process.name !== 'bench');
}

/** The approaches a scenario counted with, in the order report.ts lists them. */
export function approachesOf(scenario: ScenarioReport): [Approach, Accuracy][] {
  return Object.entries(scenario.accuracy) as [Approach, Accuracy][];
}
