import { formatField } from './format.js';

/**
 * The report's tables as rows of figures, before they are text or HTML: the terminal table
 * (table.ts) and the page (html.ts) show the same rows. Each figure keeps its path in
 * report.json, which the page writes beside it for the browser test to check.
 */

/** A figure of report.json as shown: its path there, its value, its text. */
export interface Figure {
  field: string;
  value: unknown;
  text: string;
}

/** A cell: figures with words between them, e.g. "0.82 (0.80–0.83)". */
export type Cell = readonly (string | Figure)[];

export interface Column {
  title: string;
  align: 'left' | 'right';
}

/** A column of words, aligned left. */
export const left = (title: string): Column => ({ title, align: 'left' });

/** A column of figures, aligned right so their digits line up. */
export const right = (title: string): Column => ({ title, align: 'right' });

/** A row of cells, one per column; or the first cells and then a note across the rest. */
export type Row = { cells: Cell[] } | { lead: Cell[]; note: Cell };

export interface Table {
  /** Stable, for the page's ids. */
  id: string;
  title: string;
  /** What the figures are, in one sentence. */
  about: string;
  columns: Column[];
  rows: Row[];
  /** Notes under the rows, each one line of words: "(1) why", that a row's cell points to. */
  notes?: Cell[];
}

/** A label and its value, for the settings and the machine. */
export interface Pair {
  label: string;
  value: Cell;
}

export function cellText(cell: Cell): string {
  return cell.map((part) => (typeof part === 'string' ? part : part.text)).join('');
}

/** The figure at `field` of the report (a path such as `scenarios[1].rps`). */
export function figure(field: string, value: unknown): Figure {
  return { field, value, text: formatField(field, value) };
}
