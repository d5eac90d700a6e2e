import type {
  Interval,
  JudgedRatio,
  Report,
  RoundResult,
  ScenarioName,
  ScenarioReport,
  Verdict,
} from '../src/report.js';

/**
 * A small report to test the views with figures chosen by hand: a baseline, an eBPF
 * scenario that lost a few events, and a skipped one; one round unless `rounds` says more.
 */

function round(n: number, rps: number): RoundResult {
  return {
    round: n,
    rps,
    open_rps: 1000,
    latency_ms: { p50: 0.2, p90: 0.4, p99: 1, p999: 2, max: 5, mean: 0.25 },
    latency_distribution: [],
    schedule_lag_ms: { p50: 0.04, p90: 0.06, p99: 0.9, p999: 2, max: 4, mean: 0.08 },
    errors: 0,
    app_cpu_us_per_request: { user: 40, system: 20, total: 60 },
    cost_us_per_request: { app: 60, total: 60, neighbours: 30 },
    foreign: { closed: { app_cpus: 0.01, other_cpus: 0.02 }, open: { app_cpus: 0, other_cpus: 0 } },
    bench_cpu_fraction: 0.5,
    app_cpu_fraction: 0.99,
    processes: [],
    bpf_programs: [],
    accuracy: {},
  };
}

function skipped(name: ScenarioName, reason: string, description: string): ScenarioReport {
  return {
    name,
    status: 'skipped',
    reason,
    description,
    rps: 0,
    latency_ms: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 },
    latency_distribution: [],
    schedule_lag_ms: { p50: 0.04, p90: 0.06, p99: 0.9, p999: 2, max: 4, mean: 0.08 },
    errors: 0,
    app_cpu_us_per_request: { user: 0, system: 0, total: 0 },
    cost_us_per_request: { app: 0, total: 0, neighbours: 0 },
    processes: [],
    bpf_programs: [],
    accuracy: {},
    rounds: [],
  };
}

/** An interval as summarize makes it: ±`half` around the estimate, no ends with one round. */
export function interval(estimate: number, half: number, rounds: number): Interval {
  return rounds === 1
    ? { estimate, ci_low: null, ci_high: null, confidence: 0.95, rounds }
    : { estimate, ci_low: estimate - half, ci_high: estimate + half, confidence: 0.95, rounds };
}

function judged(estimate: number, half: number, rounds: number, verdict: Verdict): JudgedRatio {
  return { ...interval(estimate, half, rounds), verdict: rounds === 1 ? 'inconclusive' : verdict };
}

function baseline(rounds: number): ScenarioReport {
  return {
    name: 'baseline',
    status: 'ok',
    description: 'the app alone',
    rps: 2000,
    latency_ms: { p50: 0.2, p90: 0.4, p99: 1, p999: 2.5, max: 5, mean: 0.25 },
    latency_distribution: [
      { percentile: 50, ms: 0.2 },
      { percentile: 99, ms: 1 },
    ],
    schedule_lag_ms: { p50: 0.04, p90: 0.06, p99: 0.9, p999: 2, max: 4, mean: 0.08 },
    errors: 0,
    app_cpu_us_per_request: { user: 40, system: 20, total: 60 },
    cost_us_per_request: { app: 60, total: 60, neighbours: 30 },
    processes: [
      { name: 'app', pid: 10, cpu_s: { user: 6, system: 3 }, peak_rss_bytes: 50 * 1024 * 1024 },
    ],
    bpf_programs: [],
    accuracy: {
      app: { unit: 'requests', counted: 22000, truth: 22000, exact: true, source: 'app' },
    },
    rounds: Array.from({ length: rounds }, (_, i) => round(i + 1, 2000)),
  };
}

/** The observer's scenario: slower than the baseline, its Kafka path 1,000 bytes short. */
function ebpfCore(rounds: number): ScenarioReport {
  return {
    name: 'ebpf-core',
    status: 'ok',
    description: 'the observer',
    rps: 1900,
    latency_ms: { p50: 0.21, p90: 0.42, p99: 1.1, p999: 2.75, max: 6, mean: 0.26 },
    latency_distribution: [
      { percentile: 50, ms: 0.21 },
      { percentile: 99, ms: 1.1 },
    ],
    schedule_lag_ms: { p50: 0.04, p90: 0.06, p99: 0.9, p999: 2, max: 4, mean: 0.08 },
    errors: 0,
    app_cpu_us_per_request: { user: 42, system: 24, total: 66 },
    cost_us_per_request: { app: 66, total: 75, neighbours: 33 },
    overhead: {
      app: judged(1.1, 0.03, rounds, 'cost'),
      total: judged(1.25, 0.04, rounds, 'cost'),
      neighbours: judged(1.1, 0.05, rounds, 'cost'),
      p99: judged(1.1, 0.2, rounds, 'inconclusive'),
      capacity: interval(0.95, 0.03, rounds),
    },
    processes: [
      { name: 'app', pid: 20, cpu_s: { user: 6, system: 3.5 }, peak_rss_bytes: 52428800 },
      {
        name: 'observer',
        pid: 21,
        cpu_s: { user: 0.5, system: 0.25 },
        peak_rss_bytes: 30 * 1024 * 1024,
      },
      {
        name: 'kafka',
        pid: 22,
        cpu_s: { user: 2, system: 0.5 },
        peak_rss_bytes: 600 * 1024 * 1024,
      },
    ],
    bpf_programs: [
      {
        name: 'write_exit',
        type: 'tracepoint',
        owner: 'observer',
        run_cnt: 21000,
        run_time_ns: 4200000,
        ns_per_run: 200,
      },
    ],
    accuracy: {
      app: { unit: 'requests', counted: 21000, truth: 21000, exact: true, source: 'app' },
      ebpf_tcp_send: {
        unit: 'bytes',
        counted: 2999000,
        truth: 3000000,
        exact: false,
        source: 'aggregator',
        observer: { counted: 3000000, truth: 3000000, exact: true },
      },
    },
    rounds: Array.from({ length: rounds }, (_, i) => round(i + 1, 1900)),
  };
}

export function smallReport(rounds = 1): Report {
  return {
    version: 2,
    started_at: '2026-12-01T10:00:00.000Z',
    finished_at: '2026-12-01T10:02:30.000Z',
    machine: { cpus: 4, kernel: '6.1.0', node: 'v20.19.2', app_cpus: [3], other_cpus: [0, 1, 2] },
    settings: {
      scenarios: ['baseline', 'bpftrace', 'ebpf-core'],
      duration_s: 5,
      warmup_s: 1,
      conns: 50,
      repeat: rounds,
      fixed_rounds: true,
      min_rounds: 5,
      target: 0.03,
      budget_s: 600,
      confidence: 0.95,
      max_foreign: 0.05,
      cpu_meter: 'cgroup2',
      rate: 1000,
      rate_source: '--rate',
      path: '/ping',
      bpf_stats: false,
    },
    scenarios: [
      baseline(rounds),
      skipped('bpftrace', 'bpftrace is not installed', 'the bpftrace script'),
      ebpfCore(rounds),
    ],
    controls: {
      aa: {
        holds: true,
        app: interval(1.01, 0.02, rounds),
        total: interval(1.01, 0.02, rounds),
        neighbours: interval(0.99, 0.03, rounds),
        rounds: [],
      },
      calibration: {
        holds: true,
        burn_us: 6,
        extra_us: 5.8,
        ratio: interval(0.99, 0.02, rounds),
        rounds: [],
      },
    },
    not_precise: rounds === 1 ? ['ebpf-core app', 'ebpf-core total', 'ebpf-core neighbours'] : [],
    set_aside: [],
    warnings: [],
  };
}
