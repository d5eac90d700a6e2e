import type { Report, RoundResult, ScenarioName, ScenarioReport } from '../src/report.js';

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
    errors: 0,
    app_cpu_us_per_request: { user: 40, system: 20, total: 60 },
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
    errors: 0,
    app_cpu_us_per_request: { user: 0, system: 0, total: 0 },
    processes: [],
    bpf_programs: [],
    accuracy: {},
    rounds: [],
  };
}

/** A spread as summarize makes it, its median the middle value. */
function spread(values: number[]) {
  return {
    median: [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0,
    min: Math.min(...values),
    max: Math.max(...values),
    values,
  };
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
    errors: 0,
    app_cpu_us_per_request: { user: 40, system: 20, total: 60 },
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
  const ratios = (base: number) => [base, base - 0.03, base + 0.02].slice(0, rounds);
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
    errors: 0,
    app_cpu_us_per_request: { user: 42, system: 24, total: 66 },
    overhead: {
      rps_ratio: spread(ratios(0.95)),
      p99_ratio: spread(ratios(1.1)),
      cpu_ratio: spread(ratios(1.1)),
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
    version: 1,
    started_at: '2026-12-01T10:00:00.000Z',
    finished_at: '2026-12-01T10:02:30.000Z',
    machine: { cpus: 4, kernel: '6.1.0', node: 'v20.19.2', app_cpus: [3], other_cpus: [0, 1, 2] },
    settings: {
      scenarios: ['baseline', 'bpftrace', 'ebpf-core'],
      duration_s: 5,
      warmup_s: 1,
      conns: 50,
      repeat: rounds,
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
    warnings: [],
  };
}
