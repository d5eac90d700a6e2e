import type { RoundResult } from '@obscost/report';

const QUIET = { app_cpus: 0, other_cpus: 0 };

/** A round with only the figures the controls and the ratios read; its total is its app's. */
export function round(n: number, app: number, neighbours = 20): RoundResult {
  return {
    round: n,
    rps: 1000,
    open_rps: 100,
    latency_ms: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, mean: 1 },
    latency_distribution: [],
    schedule_lag_ms: { p50: 0.04, p90: 0.06, p99: 0.9, p999: 2, max: 4, mean: 0.08 },
    errors: 0,
    app_cpu_us_per_request: { user: app, system: 0, total: app },
    cost_us_per_request: { app, total: app, neighbours },
    foreign: { closed: QUIET, open: QUIET },
    bench_cpu_fraction: 0.5,
    app_cpu_fraction: 1,
    processes: [],
    bpf_programs: [],
    accuracy: {},
  };
}
