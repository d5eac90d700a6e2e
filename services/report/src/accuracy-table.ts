import { formatDiscrepancy } from './format.js';
import type { Accuracy, Report } from './report.js';
import { scenarioRows } from './scenario-rows.js';
import { approachesOf } from './selectors.js';
import { figure, left, right, type Cell, type Row, type Table } from './view-model.js';

/**
 * The accuracy table: each approach's counts against the truth, each measure judged exact or
 * inexact where it is comparable, and marked not comparable, with a note saying why, where it
 * counts something else than the truth on the service observed.
 */

type Measure = 'requests' | 'bytes';
type Count = { counted: number; truth: number; exact: boolean };

/** A table's notes: a reason given twice (one probe in two scenarios) is one note. */
class Notes {
  readonly cells: Cell[] = [];
  private readonly numbers = new Map<string, number>();

  /** "(n)", the mark of the reason at `field` of report.json; its note added the first time. */
  markFor(field: string, why: string): string {
    let n = this.numbers.get(why);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(why, n);
      this.cells.push([`(${String(n)}) not comparable: `, figure(field, why)]);
    }
    return `(${String(n)})`;
  }
}

/** A measure's counted/truth, then its verdict; or, not comparable, the mark of its note. */
function countCells(field: string, c: Count, mark: string | undefined): Cell[] {
  return [
    [figure(`${field}.counted`, c.counted), '/', figure(`${field}.truth`, c.truth)],
    mark === undefined
      ? [figure(`${field}.exact`, c.exact), ' ', formatDiscrepancy(c.counted, c.truth, c.exact)]
      : [`not comparable ${mark}`],
  ];
}

/** The counts of one approach: the main one, its response bytes, and the observer's own. */
function approachRows(
  entry: Accuracy,
  at: string,
  notes: Notes,
): { measure: string; cells: Cell[] }[] {
  const cells = (field: string, c: Count, measure: Measure): Cell[] => {
    const why = entry.not_comparable?.[measure];
    const mark =
      why === undefined ? undefined : notes.markFor(`${at}.not_comparable.${measure}`, why);
    return countCells(field, c, mark);
  };
  const rows: { measure: string; cells: Cell[] }[] = [
    { measure: entry.unit, cells: cells(at, entry, entry.unit) },
  ];
  if (entry.bytes) {
    rows.push({ measure: 'bytes', cells: cells(`${at}.bytes`, entry.bytes, 'bytes') });
  }
  if (entry.observer) {
    rows.push({
      measure: `${entry.unit} at the observer`,
      cells: cells(`${at}.observer`, entry.observer, entry.unit),
    });
  }
  return rows;
}

export function accuracyTable(report: Report): Table {
  const notes = new Notes();
  const rows = scenarioRows(report, (s, at) => {
    const rows: Row[] = [];
    for (const [approach, entry] of approachesOf(s)) {
      approachRows(entry, `${at}.accuracy.${approach}`, notes).forEach((row, j) => {
        rows.push({
          cells: [
            rows.length === 0 ? [figure(`${at}.name`, s.name)] : [],
            j === 0 ? [approach] : [],
            [row.measure],
            ...row.cells,
          ],
        });
      });
    }
    return rows;
  });
  return {
    id: 'accuracy',
    title: 'Accuracy',
    about:
      "each approach's count against the truth, what the load generator received, summed over " +
      'the rounds; exact when equal in every round; a measure that counts something else on ' +
      'the service observed is shown, marked not comparable, and judged neither way',
    columns: [
      left('scenario'),
      left('approach'),
      left('measure'),
      right('counted/truth'),
      left(''),
    ],
    rows,
    ...(notes.cells.length === 0 ? {} : { notes: notes.cells }),
  };
}
