import { FOREIGN_LIMIT, type AppRun, type VariantSummary } from './app-noise-stats.js';

/** The run's settings, as --json prints them. */
export interface NoiseRun {
  apps: number;
  warmup_s: number;
  dur_s: number;
  window_s: number;
  rate: number;
  rate_source: string;
  conns: number;
  app_cpus: number[];
  cpu_meter: string;
}

/** One variant's apps and their summary. */
export interface VariantResult extends VariantSummary {
  variant: string;
  runs: AppRun[];
}

const us = (value: number | null): string => (value === null ? '—' : value.toFixed(1));
const percent = (value: number | null): string => (value === null ? '—' : `${value.toFixed(1)}%`);

function appLine(run: AppRun, index: number): string {
  const windows = run.windows
    .map((w) => `${us(w.cpu_us_per_request)}${w.foreign_cpus >= FOREIGN_LIMIT ? '*' : ''}`)
    .join(' ');
  return (
    `  app ${index + 1}  ${us(run.cpu_us_per_request)} µs a request, ` +
    `foreign ${run.foreign_cpus.toFixed(2)} CPU; windows ${windows}`
  );
}

/** Whether the apps spread more than the windows predict: their ratio, when both are known. */
function verdict(result: VariantResult): string {
  const between = result.apps.sd_percent;
  const predicted = result.windows.predicted_run_sd_percent;
  if (between === null || predicted === null || predicted === 0) return '';
  return `; the apps spread ${(between / predicted).toFixed(1)}× that`;
}

/** The time scales as a small table: a stretch's seconds, its pairs, its SD and the independent one. */
function timeScaleLines(result: VariantResult, windowS: number): string[] {
  if (result.time_scales.length === 0) return [];
  const row = (cells: string[]) =>
    `    ${cells.map((c, i) => c.padEnd([8, 7, 13][i] ?? 0)).join('')}`;
  return [
    '  adjacent stretches of one run, how far apart (SD of their log ratio):',
    row(['stretch', 'pairs', 'SD', 'were the windows independent']),
    ...result.time_scales.map((scale) =>
      row([
        `${formatSeconds(scale.windows * windowS)} s`,
        String(scale.pairs),
        percent(scale.sd_percent),
        percent(scale.independent_percent),
      ]),
    ),
  ];
}

const formatSeconds = (seconds: number): string => String(Number(seconds.toFixed(3)));

function variantLines(result: VariantResult, runWindows: number, windowS: number): string[] {
  const { apps, windows, foreign_windows: foreign } = result;
  return [
    `${result.variant} (${apps.count} app${apps.count === 1 ? '' : 's'})`,
    ...result.runs.map(appLine),
    `  between apps   mean ${us(apps.mean)} µs, SD ${us(apps.sd)} (${percent(apps.sd_percent)})`,
    `  within an app  windows SD ${percent(windows.sd_percent)} (${windows.count} windows under ` +
      `${FOREIGN_LIMIT} foreign), which predicts ${percent(windows.predicted_run_sd_percent)} ` +
      `for a run of ${runWindows} windows${verdict(result)}`,
    `  foreign ≥ ${FOREIGN_LIMIT}  ${foreign.count} windows, mean ${us(foreign.mean_cpu_us_per_request)} µs a request`,
    ...timeScaleLines(result, windowS),
  ];
}

/** bench:noise's text output: the settings, then each variant's apps and spreads. */
export function printNoise(run: NoiseRun, results: readonly VariantResult[]): void {
  const runWindows = run.dur_s / run.window_s;
  const lines = [
    `${run.apps} fresh apps on /ping, app on CPU ${run.app_cpus.join(',')}, the bench on the ` +
      `others, ${run.conns} connections; CPU counted by ${run.cpu_meter}`,
    `each: ${run.warmup_s}s closed-model warm-up, then ${run.dur_s}s at ${run.rate} req/s ` +
      `(${run.rate_source}) in windows of ${run.window_s}s, the first left out; * foreign ≥ ${FOREIGN_LIMIT}`,
    ...results.flatMap((result) => variantLines(result, runWindows, run.window_s)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
