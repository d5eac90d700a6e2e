import type { Report } from './report.js';
import { reportTables } from './report-tables.js';
import { runNotes } from './run-notes.js';
import { settingsPairs } from './settings-pairs.js';
import { cellText, type Column, type Table } from './view-model.js';

/** Where prose (a table's note, a warning) wraps: the tables themselves stay under ~105. */
const TEXT_WIDTH = 100;

const GAP = '  ';

/**
 * Rows of text cells in aligned columns, two spaces apart. A row given as `{ lead, note }`
 * aligns its first cells and lets the note run on, without widening any column.
 */
export function alignColumns(
  columns: readonly Pick<Column, 'align'>[],
  rows: readonly (readonly string[] | { lead: readonly string[]; note: string })[],
): string[] {
  const widths = columns.map((_, c) =>
    Math.max(0, ...rows.map((row) => ('note' in row ? row.lead : row)[c]?.length ?? 0)),
  );
  const pad = (cells: readonly string[]): string[] =>
    cells.map((cell, c) =>
      columns[c]?.align === 'right' ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
    );
  return rows.map((row) =>
    ('note' in row ? [...pad(row.lead), row.note] : pad(row)).join(GAP).trimEnd(),
  );
}

/** `text` in lines of at most `width`, broken between words; later lines indented by `indent`. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length > width && line !== '') {
      lines.push(line);
      line = indent + word;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines;
}

function tableLines(table: Table): string[] {
  const rows = [
    table.columns.map((c) => c.title),
    ...table.rows.map((row) =>
      'note' in row
        ? { lead: row.lead.map(cellText), note: cellText(row.note) }
        : row.cells.map(cellText),
    ),
  ];
  return [
    ...wrap(`${table.title}: ${table.about}`, TEXT_WIDTH, '  '),
    ...alignColumns(table.columns, rows),
    ...(table.notes ?? []).flatMap((note) => wrap(cellText(note), TEXT_WIDTH, '    ')),
  ];
}

/**
 * The report as the terminal shows it: whether it is unreliable, the settings, then one
 * block per table (the cost a request, the run's checks, capacity and latency, CPU and
 * memory, accuracy, BPF programs), then the warnings. Plain text, one trailing newline.
 */
export function formatTable(report: Report): string {
  const pairs = settingsPairs(report).map((p) => [p.label, cellText(p.value)]);
  const blocks = [
    ...(report.unreliable === undefined
      ? []
      : [wrap(`UNRELIABLE: ${report.unreliable}`, TEXT_WIDTH, '  ')]),
    alignColumns([{ align: 'left' }, { align: 'left' }], pairs),
    ...reportTables(report).map(tableLines),
  ];
  const notes = [...report.warnings, ...runNotes(report).map(cellText)];
  if (notes.length > 0) {
    blocks.push(['Warnings:', ...notes.flatMap((w) => wrap(`- ${w}`, TEXT_WIDTH, '  '))]);
  }
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
