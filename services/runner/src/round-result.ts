import type { LoadResult } from '@obscost/bench';
import type { CpuSeconds } from '@obscost/measure';
import type { BpfProgramCost, ProcessCost, RoundResult } from '@obscost/report';
import type { Between } from './run-meter.js';

/** The load runs of a round and what they cost each process and each BPF program. */
export interface Measured {
  /** Every run against the app, the warm-up too: the truth is what they received. */
  runs: LoadResult[];
  closed: LoadResult;
  open: LoadResult;
  /** Each component's ns and the foreign load over the closed run and over the open run. */
  closedRun: Between;
  openRun: Between;
  /** The app's CPU over the open run, from /proc in ticks: only its user/system split is used. */
  appOpen: CpuSeconds;
  processes: ProcessCost[];
  bpfPrograms: BpfProgramCost[];
}

/** ns over a run's seconds: the share of one CPU used. */
function fractionOf(ns: number, seconds: number): number {
  return seconds === 0 ? 0 : ns / 1e9 / seconds;
}

/** The sum of every component's ns. */
function sumNs(componentsNs: Record<string, number>): number {
  return Object.values(componentsNs).reduce((sum, ns) => sum + ns, 0);
}

/** One round's figures from its measured runs: the headline from the open run's ns. */
export function roundResult(
  round: number,
  measured: Measured,
  accuracy: RoundResult['accuracy'],
): RoundResult {
  const { runs, closed, open, closedRun, openRun, appOpen } = measured;
  if (open.schedule_lag_ms === undefined)
    throw new Error('the open-model run reported no schedule lag');
  const perRequestUs = (ns: number): number => (open.requests === 0 ? 0 : ns / 1e3 / open.requests);
  const appNs = openRun.componentsNs['app'] ?? 0;
  const benchClosedNs = (closed.cpu_s.user + closed.cpu_s.system) * 1e9;
  return {
    round,
    rps: closed.rps,
    open_rps: open.rps,
    latency_ms: open.latency_ms,
    latency_distribution: open.latency_distribution,
    schedule_lag_ms: open.schedule_lag_ms,
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    app_cpu_us_per_request: {
      user: perRequestUs(appOpen.user * 1e9),
      system: perRequestUs(appOpen.system * 1e9),
      total: perRequestUs(appNs),
    },
    cost_us_per_request: {
      app: perRequestUs(appNs),
      total: perRequestUs(sumNs(openRun.componentsNs)),
      neighbours: perRequestUs((open.cpu_s.user + open.cpu_s.system) * 1e9),
    },
    components_us_per_request: Object.fromEntries(
      Object.entries(openRun.componentsNs).map(([name, ns]) => [name, perRequestUs(ns)]),
    ),
    foreign: { closed: closedRun.foreign, open: openRun.foreign },
    bench_cpu_fraction: fractionOf(benchClosedNs, closed.duration_s),
    app_cpu_fraction: fractionOf(closedRun.componentsNs['app'] ?? 0, closed.duration_s),
    processes: measured.processes,
    bpf_programs: measured.bpfPrograms,
    accuracy,
  };
}
