import { formatInstant } from './format.js';
import type { Report } from './report.js';
import { reportCharts, type Chart } from './report-charts.js';
import { detailTables, leadTables } from './report-tables.js';
import { runNotes } from './run-notes.js';
import { settingsPairs } from './settings-pairs.js';
import { figure, type Cell, type Column, type Figure, type Row, type Table } from './view-model.js';

/** Text for HTML, in an element or an attribute's double quotes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A figure's raw value as data-value holds it: strings as they are, the rest as JSON. */
export function rawValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function figureHtml(shown: Figure): string {
  return (
    `<span data-field="${escapeHtml(shown.field)}" data-value="${escapeHtml(rawValue(shown.value))}">` +
    `${escapeHtml(shown.text)}</span>`
  );
}

function cellHtml(cell: Cell): string {
  return cell
    .map((part) => (typeof part === 'string' ? escapeHtml(part) : figureHtml(part)))
    .join('');
}

function td(cell: Cell, column: Column | undefined): string {
  return `<td${column?.align === 'right' ? ' class="num"' : ''}>${cellHtml(cell)}</td>`;
}

function rowHtml(row: Row, columns: readonly Column[]): string {
  if ('note' in row) {
    const lead = row.lead.map((cell, c) => td(cell, columns[c])).join('');
    const span = columns.length - row.lead.length;
    return `<tr class="not-measured">${lead}<td colspan="${String(span)}" class="note">${cellHtml(row.note)}</td></tr>`;
  }
  const first = row.cells[0]?.length === 0 ? ' class="continued"' : '';
  return `<tr${first}>${row.cells.map((cell, c) => td(cell, columns[c])).join('')}</tr>`;
}

/** A table's note as a sentence: capital first, full stop last. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function notesHtml(notes: readonly Cell[]): string {
  if (notes.length === 0) return '';
  return `\n<ul class="notes">\n${notes.map((note) => `<li>${cellHtml(note)}</li>`).join('\n')}\n</ul>`;
}

function tableHtml(table: Table): string {
  const head = table.columns
    .map((c) => `<th${c.align === 'right' ? ' class="num"' : ''}>${escapeHtml(c.title)}</th>`)
    .join('');
  return `<section class="table" id="table-${table.id}">
<h3>${escapeHtml(table.title)}</h3>
<p class="about">${escapeHtml(sentence(table.about))}</p>
<div class="scroll">
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${table.rows.map((row) => rowHtml(row, table.columns)).join('\n')}
</tbody>
</table>
</div>${notesHtml(table.notes ?? [])}
</section>`;
}

function chartHtml(chart: Chart): string {
  return `<figure class="chart" id="${chart.id}">
<h3>${escapeHtml(chart.title)}</h3>
<p class="about">${escapeHtml(chart.about)}</p>
${chart.svg}
</figure>`;
}

function settingsHtml(report: Report): string {
  const rows = settingsPairs(report)
    .map((p) => `<tr><th scope="row">${escapeHtml(p.label)}</th><td>${cellHtml(p.value)}</td></tr>`)
    .join('\n');
  return `<table class="pairs" id="settings">\n${rows}\n</table>`;
}

function scenariosHtml(report: Report): string {
  const rows = report.scenarios.map((s, i) => {
    const at = `scenarios[${String(i)}]`;
    const text = (key: 'name' | 'status' | 'description' | 'reason', value: string) =>
      cellHtml([figure(`${at}.${key}`, value)]);
    return (
      `<tr><td>${text('name', s.name)}</td><td>${text('status', s.status)}</td>` +
      `<td>${text('description', s.description)}</td>` +
      `<td>${s.reason === undefined ? '' : text('reason', s.reason)}</td></tr>`
    );
  });
  return `<table id="scenarios">
<thead><tr><th>scenario</th><th>status</th><th>what it adds to the app</th><th>why not measured</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function warningsHtml(report: Report): string {
  const cells = [
    ...report.warnings.map((w, i) => [figure(`warnings[${String(i)}]`, w)]),
    ...runNotes(report),
  ];
  if (cells.length === 0) return '';
  const items = cells.map((cell) => `<li>${cellHtml(cell)}</li>`).join('\n');
  return `<section id="warnings" class="warnings">
<h2>Warnings</h2>
<ul>
${items}
</ul>
</section>`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #57606a; --line: #d8dee4; --band: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 2px; }
p.lead { color: var(--muted); margin: 0 0 16px; }
p.about { color: var(--muted); margin: 0 0 8px; font-size: 13px; }
.unreliable { background: #ffebe9; border: 1px solid #ff8182; padding: 8px 12px; border-radius: 6px; font-weight: 600; }
.interrupted { background: #fff1e5; border: 1px solid #f0b37e; padding: 8px 12px; border-radius: 6px; }
.warnings { background: #fff8c5; border: 1px solid #e3cc5c; border-radius: 6px; padding: 4px 16px 8px; margin-top: 20px; }
.warnings h2 { border: 0; margin: 8px 0 4px; font-size: 16px; }
.warnings ul { margin: 0; padding-left: 20px; }
figure.chart { margin: 0 0 28px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
section.table { margin: 0 0 28px; }
/* A table wider than the page (a service's many scenarios) scrolls in its own box. */
.scroll { overflow-x: auto; }
ul.notes { list-style: none; margin: 6px 0 0; padding: 0; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); font-weight: 600; white-space: nowrap; }
tbody tr { border-bottom: 1px solid var(--line); }
tbody tr.continued { border-top: 0; }
tbody tr:has(+ tr.continued) { border-bottom-color: transparent; }
.num { text-align: right; white-space: nowrap; }
td:first-child, td:has(> [data-field$=".holds"]) { white-space: nowrap; }
/* A verdict under its interval: the cost table's three ratios fit the page's width. */
.num [data-field$=".verdict"] { display: block; }
td.note { color: var(--muted); font-style: italic; }
table.pairs th { color: var(--muted); font-weight: 500; padding-left: 0; white-space: nowrap; }
table.pairs tr { border: 0; }
[data-field$=".status"][data-value="skipped"], [data-field$=".status"][data-value="failed"] { color: #9a6700; font-weight: 600; }
[data-field$=".exact"][data-value="true"] { color: #1a7f37; font-weight: 700; }
[data-field$=".exact"][data-value="false"] { color: #bc4c00; font-weight: 700; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
code { font-size: 12px; background: var(--band); padding: 1px 4px; border-radius: 4px; }
`;

/**
 * The report as one self-contained page: the settings, warnings, the scenarios, the charts
 * (SVG drawn here, so no script and no network) and the tables the terminal shows. Every
 * figure of a table carries its path in report.json and its raw value (data-field,
 * data-value); all text from the report is escaped.
 */
export function renderHtml(report: Report): string {
  const charts = reportCharts(report);
  const when = formatInstant(report.started_at);
  const subject = report.settings.service === undefined ? 'app' : 'service';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What observability costs: the comparison of ${escapeHtml(when)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>What observability costs</h1>
<p class="lead">Each way of observing the ${subject} against the ${subject} alone, under the same load on a fresh ${subject}: the CPU it costs a request, each as a ratio to the same round's baseline with its confidence interval, checked by an A/A baseline and a calibration; then capacity, latency at a fixed rate, memory, and how much of the traffic each approach counted.</p>
${report.interrupted === undefined ? '' : `<p class="interrupted">Interrupted (${escapeHtml(report.interrupted)}): the report holds what was measured until then.</p>`}
${report.unreliable === undefined ? '' : `<p class="unreliable" id="unreliable">Unreliable: ${cellHtml([figure('unreliable', report.unreliable)])}</p>`}
${settingsHtml(report)}
</header>
<section id="headline">
<h2>The cost a request</h2>
${leadTables(report).map(tableHtml).join('\n')}
</section>
${warningsHtml(report)}
<section id="scenario-list">
<h2>Scenarios</h2>
${scenariosHtml(report)}
</section>
<section id="charts">
<h2>Charts</h2>
${charts.length === 0 ? '<p class="about">No scenario was measured: nothing to draw.</p>' : charts.map(chartHtml).join('\n')}
</section>
<section id="tables">
<h2>Figures</h2>
${detailTables(report).map(tableHtml).join('\n')}
</section>
<footer>The figures come from <code>report.json</code> beside this page; its fields are described by <code>services/report/report.schema.json</code>, and how to read them by <code>docs/report.md</code>.</footer>
</main>
</body>
</html>
`;
}
