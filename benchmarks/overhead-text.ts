import type { CpuPlan } from '@obscost/measure';
import type { Interval, Overhead } from '@obscost/report';

/** One scenario's figures, as bench:overhead prints them. */
export interface ScenarioLine {
  name: string;
  rps_median: number;
  ratio: number;
  p99_ms_median: number;
  app_cpu_us_per_request: number;
  cpu_ratio: number;
  overhead?: Overhead | undefined;
  profile?: {
    us_per_request: Record<string, number>;
    observer_us: number;
    share: number;
    implied_ratio: number;
  };
  runs: { rps: number }[];
}

/** Everything the text output says: the run's settings, its controls, every scenario. */
export interface OverheadSummary {
  conns: number;
  durS: number;
  rate: number | undefined;
  runs: number;
  cpus: CpuPlan;
  /** With --profile: the app's own work a request and the observer's parts, in order. */
  profile: { appOwnUs: number; parts: readonly string[] } | undefined;
  checks: {
    aa: { app: Interval; holds: boolean };
    calibration: { extra_us: number; ratio: Interval; holds: boolean };
  };
  burnUs: number;
  leftOut: readonly string[];
  results: readonly ScenarioLine[];
}

/** An interval as one line: "1.08 (1.05–1.11)", the estimate alone from one round. */
const intervalText = ({ estimate: e, ci_low: low, ci_high: high }: Interval) =>
  low === null || high === null
    ? e.toFixed(3)
    : `${e.toFixed(3)} (${low.toFixed(3)}–${high.toFixed(3)})`;

/** Where the app's CPU went, by part of the observer, with --profile. */
function printProfile(
  profile: NonNullable<OverheadSummary['profile']>,
  results: readonly ScenarioLine[],
  width: number,
): void {
  const columns = [...profile.parts, 'observer', 'rest', 'share', 'implied ratio'];
  process.stdout.write(
    "where the app's CPU went at the fixed rate (perf samples, µs a request, medians; share:\n" +
      `the observer's against the app's own work, ${profile.appOwnUs.toFixed(1)} µs, the median rest of every run):\n` +
      `${''.padEnd(width)}  ${columns.map((c) => c.padStart(20)).join('')}\n`,
  );
  for (const r of results) {
    if (r.profile === undefined) continue;
    const { us_per_request: parts, observer_us, share, implied_ratio } = r.profile;
    const cells = [...profile.parts.map((part) => parts[part] ?? 0), observer_us, parts.rest ?? 0];
    process.stdout.write(
      `${r.name.padEnd(width)}  ${cells.map((us) => us.toFixed(2).padStart(20)).join('')}` +
        `${`${(share * 100).toFixed(1)}%`.padStart(20)}${implied_ratio.toFixed(3).padStart(20)}\n`,
    );
  }
  process.stdout.write('\n');
}

/** bench:overhead's text output: settings, the controls, each cost with its interval. */
export function printOverhead(o: OverheadSummary): void {
  const where =
    o.cpus.app.length === 0
      ? 'nothing pinned (one CPU)'
      : `app on CPU ${o.cpus.app.join(',')}, the rest on ${o.cpus.other.join(',')}`;
  process.stdout.write(
    `/ping, ${o.conns} connections, ${o.durS} s closed and ${o.durS} s at ${o.rate ?? 0} req/s a run, ${o.runs} runs of each in turn; ${where}\n` +
      'req/s: closed model; p99 and app CPU per request: at the fixed rate\n\n',
  );
  const width = Math.max(...o.results.map((r) => r.name.length));
  if (o.profile !== undefined) printProfile(o.profile, o.results, width);
  process.stdout.write(
    `this run's resolution (A/A app CPU a request): ${intervalText(o.checks.aa.app)} ${o.checks.aa.holds ? 'holds' : 'DOES NOT HOLD'}\n` +
      `calibration: +${o.burnUs} µs a request measured +${o.checks.calibration.extra_us.toFixed(2)}, ratio ${intervalText(o.checks.calibration.ratio)} ${o.checks.calibration.holds ? 'holds' : 'DOES NOT HOLD'}\n\n`,
  );
  for (const r of o.results) {
    if (r.overhead !== undefined) {
      const { app, total, capacity, capacity_limit: limit } = r.overhead;
      process.stdout.write(
        `${r.name.padEnd(width)}  app CPU a request ${intervalText(app)} ${app.verdict}; ` +
          `with the observer ${intervalText(total)} ${total.verdict}; ` +
          `capacity ${capacity === undefined ? `not compared: ${limit ?? ''}` : intervalText(capacity)}\n`,
      );
    }
  }
  for (const note of o.leftOut) process.stdout.write(`left out: ${note}\n`);
  process.stdout.write('\n');
  for (const r of o.results) {
    process.stdout.write(
      `${r.name.padEnd(width)}  ${r.rps_median.toFixed(0).padStart(6)} req/s  ratio ${r.ratio.toFixed(3)}  p99 ${r.p99_ms_median.toFixed(2)} ms  app CPU ${r.app_cpu_us_per_request.toFixed(1)} µs/req (${r.cpu_ratio >= 1 ? '+' : ''}${((r.cpu_ratio - 1) * 100).toFixed(1)}%)   runs: ${r.runs.map((run) => run.rps.toFixed(0)).join(' ')}\n`,
    );
  }
}
