import {
  EXACT_MARK,
  formatCount,
  formatFigure,
  formatInstant,
  formatRatio,
  formatShare,
  INEXACT_MARK,
} from './format.js';
import { APPROACHES, SCENARIO_NAMES, type Report, type ScenarioReport } from './report.js';
import { alignColumns } from './table.js';

/** One figure of a scenario, read the same way from both reports. */
interface Measure {
  label: string;
  value: (s: ScenarioReport) => number | undefined;
  format: (value: number) => string;
}

const MEASURES: readonly Measure[] = [
  { label: 'req/s', value: (s) => s.rps, format: formatCount },
  { label: 'p99 ms', value: (s) => s.latency_ms.p99, format: formatFigure },
  { label: 'app µs/req', value: (s) => s.cost_us_per_request.app, format: formatFigure },
  { label: 'total µs/req', value: (s) => s.cost_us_per_request.total, format: formatFigure },
  {
    label: 'neighbours µs/req',
    value: (s) => s.cost_us_per_request.neighbours,
    format: formatFigure,
  },
  { label: 'app vs baseline', value: (s) => s.overhead?.app.estimate, format: formatRatio },
  { label: 'total vs baseline', value: (s) => s.overhead?.total.estimate, format: formatRatio },
  {
    label: 'req/s vs baseline',
    value: (s) => s.overhead?.capacity?.estimate,
    format: formatRatio,
  },
  { label: 'p99 vs baseline', value: (s) => s.overhead?.p99.estimate, format: formatRatio },
];

/** Which file a report is, and when and how it was measured. */
function describe(label: string, file: string, report: Report): string[] {
  const { settings } = report;
  return [
    `${label}  ${file}`,
    `   ${formatInstant(report.started_at)}, ${formatCount(settings.repeat)} ` +
      `${settings.repeat === 1 ? 'round' : 'rounds'}, path ${settings.path}, ` +
      `${formatCount(settings.conns)} connections, ${String(settings.duration_s)} s open runs, ` +
      `open model at ${formatCount(settings.rate)} req/s`,
  ];
}

/** The settings that make two reports' figures incomparable when they differ. */
function differences(a: Report, b: Report): string[] {
  const pairs: [string, string | number, string | number][] = [
    ['open-model rate (req/s)', a.settings.rate, b.settings.rate],
    ['path', a.settings.path, b.settings.path],
    ['connections', a.settings.conns, b.settings.conns],
    ['open run (s)', a.settings.duration_s, b.settings.duration_s],
    [
      'closed run (s)',
      a.settings.capacity_duration_s ?? a.settings.duration_s,
      b.settings.capacity_duration_s ?? b.settings.duration_s,
    ],
    ['CPUs', a.machine.cpus, b.machine.cpus],
    ['kernel', a.machine.kernel, b.machine.kernel],
  ];
  const show = (v: string | number) =>
    typeof v === 'number' && Number.isInteger(v) ? formatCount(v) : String(v);
  return pairs
    .filter(([, x, y]) => x !== y)
    .map(([what, x, y]) => `${what}: ${show(x)} in A, ${show(y)} in B`);
}

function accuracyText(s: ScenarioReport | undefined, approach: string): string {
  const entry = s?.accuracy[approach as keyof ScenarioReport['accuracy']];
  if (entry === undefined) return '-';
  const mark =
    entry.not_comparable?.[entry.unit] === undefined
      ? entry.exact
        ? EXACT_MARK
        : INEXACT_MARK
      : 'not comparable';
  return `${formatShare(entry.counted, entry.truth)} ${mark}`;
}

function scenarioRows(
  name: string,
  a: ScenarioReport | undefined,
  b: ScenarioReport | undefined,
): string[][] {
  const ok = (s: ScenarioReport | undefined): s is ScenarioReport => s?.status === 'ok';
  const state = (s: ScenarioReport | undefined) => s?.status ?? 'not run';
  const rows: string[][] = [];
  if (!ok(a) || !ok(b)) rows.push(['status', state(a), state(b), '']);
  if (!ok(a) && !ok(b)) return rows.map((row, i) => [i === 0 ? name : '', ...row]);
  for (const measure of MEASURES) {
    const x = ok(a) ? measure.value(a) : undefined;
    const y = ok(b) ? measure.value(b) : undefined;
    if (x === undefined && y === undefined) continue;
    rows.push([
      measure.label,
      x === undefined ? '-' : measure.format(x),
      y === undefined ? '-' : measure.format(y),
      x === undefined || y === undefined || x === 0 ? '-' : formatRatio(y / x),
    ]);
  }
  for (const approach of APPROACHES) {
    const x = accuracyText(ok(a) ? a : undefined, approach);
    const y = accuracyText(ok(b) ? b : undefined, approach);
    if (x !== '-' || y !== '-') rows.push([`accuracy ${approach}`, x, y, '']);
  }
  return rows.map((row, i) => [i === 0 ? name : '', ...row]);
}

/**
 * Two reports side by side, scenario by scenario: capacity, p99, the app's CPU per request,
 * the ratios to each report's own baseline, and each approach's count as a share of the
 * truth; A, B, and B/A. Settings that differ are said first: their figures do not compare.
 */
export function formatComparison(a: Report, b: Report, files: [string, string]): string {
  const names = SCENARIO_NAMES.filter((name) =>
    [a, b].some((r) => r.scenarios.some((s) => s.name === name)),
  );
  const rows = names.flatMap((name) =>
    scenarioRows(
      name,
      a.scenarios.find((s) => s.name === name),
      b.scenarios.find((s) => s.name === name),
    ),
  );
  const differ = differences(a, b);
  const lines = [
    ...describe('A', files[0], a),
    ...describe('B', files[1], b),
    ...(differ.length === 0 ? [] : ['', 'Settings differ:', ...differ.map((d) => `- ${d}`)]),
    '',
    ...alignColumns(
      [
        { align: 'left' },
        { align: 'left' },
        { align: 'right' },
        { align: 'right' },
        { align: 'right' },
      ],
      [['scenario', 'figure', 'A', 'B', 'B/A'], ...rows],
    ),
  ];
  return `${lines.join('\n')}\n`;
}
