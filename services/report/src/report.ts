import type { LatencySummary, PercentilePoint } from '@obscost/bench';
import type { BpfProgramCost, CpuSeconds } from '@obscost/measure';

/**
 * The comparison's report: what `npm start` writes to DIR/report.json and draws in
 * DIR/report.html. Documented field by field in docs/report.md; `version` changes when a
 * field changes meaning or goes away.
 */

export const REPORT_VERSION = 1;

/** The scenarios, in the order a round runs them; `baseline` is always first. */
export const SCENARIO_NAMES = [
  'baseline',
  'sidecar',
  'otel-sdk',
  'bpftrace',
  'ebpf-core',
  'ebpf-breakpoint',
  'ebpf-inkernel',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * The ways of counting the app's traffic, as the Prometheus recording rules name them
 * (infra/prometheus/rules.yml), plus bpftrace's.
 */
export const APPROACHES = [
  'app',
  'sidecar',
  'otel_sdk',
  'bpftrace',
  'ebpf_uprobe',
  'ebpf_socket_write',
  'ebpf_tcp_send',
] as const;
export type Approach = (typeof APPROACHES)[number];

/** Latency figures and the percentile curve, as the load generator reports them. */
export type Latency = LatencySummary;
export type { BpfProgramCost, CpuSeconds, PercentilePoint };

/** A process the scenario started (or the app): its CPU over the measured runs, its peak RSS. */
export interface ProcessCost {
  /** app, bench, collector, kafka, observer, aggregator, bpftrace. */
  name: string;
  pid: number;
  cpu_s: CpuSeconds;
  /** VmHWM: the most resident memory the process ever had. */
  peak_rss_bytes: number;
}

/** The app's CPU time per completed request in the open-model run, in microseconds. */
export interface CpuPerRequest {
  user: number;
  system: number;
  total: number;
}

/**
 * How much of the truth one approach saw: `counted` against the bench's `truth`, in `unit`.
 * Request approaches also compare response bytes when they count them.
 */
export interface Accuracy {
  unit: 'requests' | 'bytes';
  counted: number;
  truth: number;
  exact: boolean;
  /** Where the count was read, e.g. "the aggregator's /metrics: app_uprobe_calls_total". */
  source: string;
  bytes?: { counted: number; truth: number; exact: boolean };
  /** eBPF approaches: the observer's own count, before Kafka and the aggregator. */
  observer?: { counted: number; truth: number; exact: boolean };
}

/** A ratio to the baseline of the same round, over the rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

/** One scenario in one round: a fresh app, warm-up, a closed run, an open run. */
export interface RoundResult {
  round: number;
  /** Closed model: the capacity, req/s. */
  rps: number;
  /** Open model at the comparison's fixed rate. */
  open_rps: number;
  latency_ms: Latency;
  latency_distribution: PercentilePoint[];
  errors: number;
  app_cpu_us_per_request: CpuPerRequest;
  /** The bench's own CPU over the closed run, as a fraction of one CPU. */
  bench_cpu_fraction: number;
  /**
   * The app's own CPU over the closed run, as a fraction of one CPU: well below 1, something
   * other than the app set its capacity (the load generator, starved by what shares its CPU).
   */
  app_cpu_fraction: number;
  processes: ProcessCost[];
  bpf_programs: BpfProgramCost[];
  accuracy: Partial<Record<Approach, Accuracy>>;
}

export interface ScenarioReport {
  name: ScenarioName;
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped, one line. */
  reason?: string;
  /** What it adds to the app, one line. */
  description: string;
  /** The rest is the median over the rounds (sums for BPF counts and accuracy). */
  rps: number;
  latency_ms: Latency;
  latency_distribution: PercentilePoint[];
  errors: number;
  app_cpu_us_per_request: CpuPerRequest;
  /** Ratios to the same round's baseline; absent for the baseline itself. */
  overhead?: { rps_ratio: Spread; p99_ratio: Spread; cpu_ratio: Spread };
  processes: ProcessCost[];
  bpf_programs: BpfProgramCost[];
  accuracy: Partial<Record<Approach, Accuracy>>;
  rounds: RoundResult[];
}

export interface Report {
  version: typeof REPORT_VERSION;
  started_at: string;
  finished_at: string;
  /** Set when Ctrl-C (or a signal) stopped the comparison: the report holds what was measured. */
  interrupted?: string;
  machine: {
    cpus: number;
    kernel: string;
    node: string;
    /** The CPU the app was pinned to, and the CPUs of everything else; empty when unpinned. */
    app_cpus: number[];
    other_cpus: number[];
  };
  settings: {
    scenarios: ScenarioName[];
    duration_s: number;
    warmup_s: number;
    conns: number;
    repeat: number;
    /** The open model's rate, req/s, the same for every scenario. */
    rate: number;
    /** How the rate was chosen: "--rate" or "0.5 of the baseline's capacity". */
    rate_source: string;
    path: string;
    /** Whether the kernel's BPF statistics were on in the eBPF scenarios (--bpf-stats). */
    bpf_stats: boolean;
  };
  scenarios: ScenarioReport[];
  warnings: string[];
}
