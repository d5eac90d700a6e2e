import type { Report } from './report.js';
import { figure, type Cell } from './view-model.js';

/**
 * What the reader must know of the rounds themselves, after the warnings: the figures whose
 * interval did not reach the target, and the runs set aside for their foreign load.
 */
export function runNotes(report: Report): Cell[] {
  const notes: Cell[] = [];
  if (report.not_precise.length > 0) {
    notes.push([
      'not within ±',
      figure('settings.target', report.settings.target),
      ' when the rounds ended: ',
      ...report.not_precise.flatMap((name, i) => [
        ...(i === 0 ? [] : [', ']),
        figure(`not_precise[${i}]`, name),
      ]),
    ]);
  }
  report.set_aside.forEach((run, i) => {
    notes.push([
      'set aside: ',
      figure(`set_aside[${i}].scenario`, run.scenario),
      ', round ',
      figure(`set_aside[${i}].round`, run.round),
      ': ',
      figure(`set_aside[${i}].reason`, run.reason),
    ]);
  });
  return notes;
}
