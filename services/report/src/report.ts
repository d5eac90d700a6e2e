import type { LatencySummary, PercentilePoint } from '@obscost/bench';
import type { BpfProgramCost, CostVerdict, CpuSeconds, RatioInterval } from '@obscost/measure';

/**
 * The comparison's report: what `npm start` writes to DIR/report.json and draws in
 * DIR/report.html. Documented field by field in docs/report.md; `version` changes when a
 * field changes meaning or goes away.
 */

export const REPORT_VERSION = 2;

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
 * The measures of an approach that count something else than the truth on the service
 * observed, each with why in one sentence (a service's marker argument, its log's bytes).
 */
export interface Comparability {
  requests?: string;
  bytes?: string;
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
  /**
   * The measures (`requests`, `bytes`) that are not comparable with the truth, and why; the
   * observer's count is of `unit`. Such a measure's count is shown and its `exact` is the bare
   * equality, no verdict: the report marks it "not comparable" instead. Absent: all comparable.
   */
  not_comparable?: Comparability;
}

/**
 * A ratio to the baseline of the same round over the rounds, with its confidence interval,
 * and what the interval lets the report say about a cost: lib/measure computes them, and
 * report.json holds them as they are (docs/statistics.md).
 */
export type Interval = RatioInterval;
export type Verdict = CostVerdict;

/** A cost as a ratio to the baseline, with its interval and its verdict. */
export interface JudgedRatio extends Interval {
  verdict: Verdict;
}

/** The headline figures of one run at the fixed rate, µs of CPU a completed request. */
export interface CostPerRequest {
  /** The app's own CPU, counted in ns (docs/measuring.md). */
  app: number;
  /** The app and every process the scenario adds (observer, collector, kafka, ...). */
  total: number;
  /** The load generator's CPU: what the other processes on the host pay. */
  neighbours: number;
}

/** The time spent on each side's CPUs by anything not the run's own, over one run. */
export interface ForeignShare {
  /** On the app's CPUs, in CPUs (0.05: a twentieth of one CPU the whole run). */
  app_cpus: number;
  /** On the other CPUs, in CPUs. */
  other_cpus: number;
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
  /** The load generator's own lag in the open run: each request's send time after its due time. */
  schedule_lag_ms: Latency;
  errors: number;
  /** The user/system split is read in 10 ms ticks; `total` is the ns-precise `cost.app`. */
  app_cpu_us_per_request: CpuPerRequest;
  /** The headline: each component's CPU a request in the open run. */
  cost_us_per_request: CostPerRequest;
  /**
   * Each component's CPU µs a request in the open run (app, observer, kafka...): the split of
   * `cost_us_per_request.total`. Reports before it have none.
   */
  components_us_per_request?: Record<string, number>;
  /** The foreign load of the closed and of the open run. */
  foreign: { closed: ForeignShare; open: ForeignShare };
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
  schedule_lag_ms: Latency;
  errors: number;
  app_cpu_us_per_request: CpuPerRequest;
  /** The median over the rounds of each headline figure. */
  cost_us_per_request: CostPerRequest;
  /** Ratios to the same round's baseline; absent for the baseline itself. */
  overhead?: Overhead;
  /** With --production-rate: what the approach would cost in CPU cores at that rate. */
  at_production_rate?: AtProductionRate;
  processes: ProcessCost[];
  bpf_programs: BpfProgramCost[];
  accuracy: Partial<Record<Approach, Accuracy>>;
  rounds: RoundResult[];
}

/**
 * An approach's cost a request turned into CPU cores at `settings.production_rate`, each with
 * the interval of the ratio it comes from (docs/report.md, "At your rate").
 */
export interface AtProductionRate {
  /** The cores it adds on the service's host: the app's extra CPU and every agent beside it. */
  host_cores: Interval;
  /** The cores of its pipeline off the host (the aggregator and Kafka), where it has one. */
  pipeline_cores?: Interval;
}

/** A scenario's figures as ratios to the same round's baseline. */
export interface Overhead {
  /** The headline, at the fixed rate: CPU µs a request against the baseline's. */
  app: JudgedRatio;
  total: JudgedRatio;
  neighbours: JudgedRatio;
  /** p99 latency at the fixed rate. */
  p99: JudgedRatio;
  /** Capacity, only where the app's CPU was saturated in both closed runs of every round. */
  capacity?: Interval;
  /** Otherwise what limited the capacity, in words. */
  capacity_limit?: string;
}

/** A second baseline each round: its ratios to the baseline must contain 1. */
export interface AaControl {
  holds: boolean;
  app: Interval;
  total: Interval;
  neighbours: Interval;
  rounds: RoundResult[];
}

/** The baseline app spending `burn_us` more CPU a request (APP_BURN_US): it must show. */
export interface CalibrationControl {
  holds: boolean;
  burn_us: number;
  /** The median over rounds of its app µs a request less the same round's baseline's. */
  extra_us: number;
  /** Its app µs a request over the same round's baseline's plus `burn_us`: must contain 1. */
  ratio: Interval;
  rounds: RoundResult[];
}

/** A run whose foreign load was above --max-foreign: run again, its figures left out. */
export interface SetAside {
  scenario: string;
  round: number;
  /** The foreign load, as a share of the side's CPUs. */
  foreign: number;
  reason: string;
}

export interface Report {
  version: typeof REPORT_VERSION;
  started_at: string;
  finished_at: string;
  /** Set when Ctrl-C (or a signal) stopped the comparison: the report holds what was measured. */
  interrupted?: string;
  /** Set when a control did not hold: the figures cannot be trusted, and why. */
  unreliable?: string;
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
    /** The open-model run's length. */
    duration_s: number;
    /** The closed-model run's length; reports before it had both runs `duration_s` long. */
    capacity_duration_s?: number;
    warmup_s: number;
    conns: number;
    /** The rounds run. */
    repeat: number;
    /** Whether --repeat fixed them, or they went on until the answer was known. */
    fixed_rounds: boolean;
    min_rounds: number;
    /** The half-width every headline interval had to reach, as a ratio (0.03: ±3 points). */
    target: number;
    budget_s: number;
    confidence: number;
    /** The foreign load above which a run is set aside, a share of the side's CPUs. */
    max_foreign: number;
    /** Where the CPU time per component was counted: cgroup1-cpuacct, cgroup2 or schedstat. */
    cpu_meter: string;
    /** The open model's rate, req/s, the same for every scenario. */
    rate: number;
    /** How the rate was chosen: "--rate" or "0.5 of the baseline's capacity". */
    rate_source: string;
    path: string;
    /** --production-rate: the rate each approach's cost is turned into CPU cores at. */
    production_rate?: number;
    /** The service the user named (--service), observed instead of the project's app. */
    service?: { command: string; url: string };
    /** Whether the kernel's BPF statistics were on in the eBPF scenarios (--bpf-stats). */
    bpf_stats: boolean;
  };
  scenarios: ScenarioReport[];
  /** Absent with --no-controls. */
  controls?: {
    aa: AaControl;
    /** Absent where it cannot run: then `calibration_skipped` says why. */
    calibration?: CalibrationControl;
    calibration_skipped?: string;
  };
  /** The headline figures whose interval did not reach the target, e.g. "sidecar total". */
  not_precise: string[];
  set_aside: SetAside[];
  warnings: string[];
}
