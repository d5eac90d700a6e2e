import { formatDuration } from '@obscost/flags';
import type { LoadResult } from './load-result.js';
import { LATENCY_FIGURES } from './latency.js';

/** How the text summary names a figure whose JSON name reads badly. */
export const TEXT_LABELS: Record<string, string> = { p999: 'p99.9', non2xx: 'non-2xx' };

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** A latency summary's lines under its JSON name; none when the run has no such figure. */
function latencyLines(name: string, summary: LoadResult['latency_ms'] | undefined): string[] {
  if (summary === undefined) return [];
  return [
    name,
    ...LATENCY_FIGURES.map(
      (key) => `  ${TEXT_LABELS[key] ?? key}`.padEnd(14) + fixed(summary[key], 3),
    ),
  ];
}

/**
 * The human summary. Its layout is stable (one figure a line, "name value"), so saved
 * outputs can be read back by `bench compare`.
 */
export function formatSummary(result: LoadResult, durationMs: number): string {
  const model =
    result.model === 'open' ? `open model at ${result.rate ?? 0} req/s` : 'closed model';
  const planned = Number.isFinite(durationMs) ? `, ${formatDuration(durationMs)}` : '';
  const kinds = result.error_kinds;
  const lines = [
    `bench ${result.url}: ${result.conns} connections, ${model}${planned}`,
    `requests      ${result.requests}`,
    ...Object.entries(result.status).map(([code, count]) => `  status ${code}  ${count}`),
    `connects      ${result.connects}`,
    `errors        ${result.errors}`,
    `  connect     ${kinds.connect}`,
    `  read        ${kinds.read}`,
    `  timeout     ${kinds.timeout}`,
    `  ${TEXT_LABELS.non2xx}     ${kinds.non2xx}`,
    `duration_s    ${fixed(result.duration_s, 3)}`,
    `rps           ${fixed(result.rps, 1)}`,
    `bytes         ${result.bytes}`,
    `bytes_per_s   ${fixed(result.bytes_per_s, 1)}`,
    ...latencyLines('latency_ms', result.latency_ms),
    ...latencyLines('latency_from_send_ms', result.latency_from_send_ms),
    ...latencyLines('schedule_lag_ms', result.schedule_lag_ms),
    'cpu_s',
    `  user        ${fixed(result.cpu_s.user, 3)}`,
    `  system      ${fixed(result.cpu_s.system, 3)}`,
  ];
  if (result.interrupted !== undefined) lines.push(`interrupted   ${result.interrupted}`);
  if (result.gave_up !== undefined) lines.push(`gave_up       ${result.gave_up}`);
  if (result.first_error !== undefined) lines.push(`first_error   ${result.first_error}`);
  return `${lines.join('\n')}\n`;
}

/** Why a finished run counts as failed, or undefined when it did not fail. */
export function failureOf(result: LoadResult): string | undefined {
  if (result.requests - result.error_kinds.non2xx === 0) {
    return `no successful response: ${result.first_error ?? 'no request completed'}`;
  }
  if (result.gave_up !== undefined) {
    return `run stopped: ${result.gave_up} (${result.first_error ?? 'no error reported'})`;
  }
  return undefined;
}
