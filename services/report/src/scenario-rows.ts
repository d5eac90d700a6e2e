import type { Report, ScenarioReport } from './report.js';
import { measured } from './selectors.js';
import { figure, type Cell, type Row } from './view-model.js';

/** Rows a scenario each, as the tables without a status column lay them out. */

export function reasonCell(scenario: ScenarioReport, at: string): Cell {
  return [figure(`${at}.reason`, scenario.reason ?? 'no reason given')];
}

/** A skipped or failed scenario's row in a table without a status column: "skipped: why". */
function notMeasuredRow(scenario: ScenarioReport, at: string): Row {
  return {
    lead: [[figure(`${at}.name`, scenario.name)]],
    note: [figure(`${at}.status`, scenario.status), ': ', ...reasonCell(scenario, at)],
  };
}

/** A table's rows, scenario by scenario: a note for one not measured, else its own rows. */
export function scenarioRows(
  report: Report,
  rowsOf: (scenario: ScenarioReport, at: string) => Row[],
): Row[] {
  return report.scenarios.flatMap((s, i) => {
    const at = `scenarios[${i}]`;
    return measured(s) ? rowsOf(s, at) : [notMeasuredRow(s, at)];
  });
}
