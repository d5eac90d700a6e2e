/**
 * How the report's figures are written, in the terminal table, the HTML page and the
 * comparison of two reports alike: one formatter per kind of figure, chosen by the figure's
 * place in report.json, so a figure reads the same wherever it is shown.
 */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer with thousands separators: 458,291. */
export function formatCount(value: number): string {
  return grouped.format(value);
}

/** Three significant digits, without an exponent: 0.214, 1.12, 61.8, 413, 1,234. */
export function formatFigure(value: number): string {
  const size = Math.abs(value);
  if (size === 0) return '0';
  if (size >= 100) return formatCount(value);
  return value.toFixed(size >= 10 ? 1 : size >= 1 ? 2 : 3);
}

/** A ratio to the baseline: two decimals tell 2% apart, which is about the rounds' noise. */
export function formatRatio(value: number): string {
  return value.toFixed(2);
}

/** Bytes in binary units, three significant digits: 78.7 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? String(value) : formatFigure(value)} ${units[unit] ?? ''}`;
}

/**
 * `counted` as a percentage of `truth`, with as many decimals as it takes not to round an
 * inexact count to 100%: 99.993%.
 */
export function formatShare(counted: number, truth: number): string {
  if (truth === 0) return counted === 0 ? '100%' : 'n/a';
  const share = (counted / truth) * 100;
  if (counted === truth) return '100%';
  for (let decimals = 1; decimals < 8; decimals++) {
    const text = share.toFixed(decimals);
    if (text !== '100.' + '0'.repeat(decimals)) return `${text}%`;
  }
  return `${share}%`;
}

/** The mark of an exact count, and of one that is not. */
export const EXACT_MARK = '✓';
export const INEXACT_MARK = '✗';

/** How a count compares with the truth, after its mark: "exact", "24 missing (99.993%)". */
export function formatDiscrepancy(counted: number, truth: number, exact: boolean): string {
  if (exact) return 'exact';
  const off = counted - truth;
  const what = off < 0 ? `${formatCount(-off)} missing` : `${formatCount(off)} extra`;
  return `${what} (${formatShare(counted, truth)})`;
}

/** An instant of the report (an ISO string) to the second, in UTC: 2026-12-03 09:14:07 UTC. */
export function formatInstant(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return match === null ? iso : `${match[1] ?? ''} ${match[2] ?? ''} UTC`;
}

type Formatter = (value: number) => string;

/**
 * The formatter of each kind of figure, by its path in report.json as fieldPath writes it
 * (`scenarios[1].latency_ms.p99`); the first pattern that matches decides.
 */
const FIGURE_FORMATS: readonly (readonly [RegExp, Formatter])[] = [
  [/\.(estimate|ci_low|ci_high)$/, formatRatio],
  [/\.cost_us_per_request\.\w+$/, formatFigure],
  [/\.burn_us$/, formatCount],
  [/\.extra_us$/, formatFigure],
  [/\.foreign\.\w+\.\w+$/, formatRatio],
  [/(^|\.)(target|max_foreign|confidence)$/, (v) => String(v)],
  [/(^|\.)budget_s$/, (v) => `${Number(v.toFixed(3))} s`],
  [/\.latency_ms\.\w+$/, formatFigure],
  [/\.latency_distribution\[\d+\]\.\w+$/, formatFigure],
  [/\.app_cpu_us_per_request\.\w+$/, formatFigure],
  [/\.cpu_s\.(user|system)$/, formatFigure],
  [/\.peak_rss_bytes$/, formatBytes],
  [/(^|\.)(rps|open_rps|rate|production_rate)$/, formatCount],
  [/(^|\.)(duration_s|capacity_duration_s|warmup_s)$/, (v) => `${Number(v.toFixed(3))} s`],
  [/\.(bench|app)_cpu_fraction$/, formatRatio],
  [/\.ns_per_run$/, formatFigure],
  [
    /(^|\.)(counted|truth|errors|run_cnt|run_time_ns|conns|repeat|cpus|pid|round|rounds|min_rounds)$/,
    formatCount,
  ],
];

/**
 * A figure of the report as every view shows it, from its path in report.json and its
 * value there: numbers by their kind, `exact` as its mark, instants in UTC to the second,
 * lists as "0,1".
 */
export function formatField(field: string, value: unknown): string {
  if (typeof value === 'number') {
    const format = FIGURE_FORMATS.find(([pattern]) => pattern.test(field))?.[1] ?? formatFigure;
    return format(value);
  }
  if (typeof value === 'boolean' && field.endsWith('.bpf_stats')) return value ? 'on' : 'off';
  if (typeof value === 'boolean' && field.endsWith('.fixed_rounds')) {
    return value ? 'rounds fixed by --repeat' : 'rounds until known';
  }
  if (typeof value === 'boolean') return value ? EXACT_MARK : INEXACT_MARK;
  if (typeof value === 'string' && /(^|\.)(started_at|finished_at)$/.test(field)) {
    return formatInstant(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  return String(value);
}
