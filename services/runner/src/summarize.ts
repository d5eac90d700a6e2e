import { median } from '@obscost/measure';
import type {
  Accuracy,
  Approach,
  BpfProgramCost,
  Latency,
  ProcessCost,
  RoundResult,
  ScenarioReport,
} from '@obscost/report';
import { atProductionRate } from './production-rate.js';
import { overheadOf, type IntervalSettings } from './overhead.js';

/** The median of each field over the rounds. */
function medianOf<T extends object>(items: readonly T[]): T {
  const first = items[0] as T;
  return Object.fromEntries(
    Object.keys(first).map((key) => [
      key,
      median(items.map((item) => (item as Record<string, number>)[key] ?? 0)),
    ]),
  ) as T;
}

/** Each process's median CPU over the rounds; the largest peak RSS; the last round's pid. */
function processesOf(rounds: readonly RoundResult[]): ProcessCost[] {
  const names = [...new Set(rounds.flatMap((r) => r.processes.map((p) => p.name)))];
  return names.map((name) => {
    const runs = rounds.flatMap((r) => r.processes.filter((p) => p.name === name));
    return {
      name,
      pid: runs.at(-1)?.pid ?? 0,
      cpu_s: medianOf(runs.map((p) => p.cpu_s)),
      peak_rss_bytes: Math.max(...runs.map((p) => p.peak_rss_bytes)),
    };
  });
}

/** Each program's runs and run time summed over the rounds. */
function programsOf(rounds: readonly RoundResult[]): BpfProgramCost[] {
  const byName = new Map<string, BpfProgramCost>();
  for (const program of rounds.flatMap((r) => r.bpf_programs)) {
    const key = `${program.owner}/${program.name}`;
    const sum = byName.get(key) ?? { ...program, run_cnt: 0, run_time_ns: 0 };
    sum.run_cnt += program.run_cnt;
    sum.run_time_ns += program.run_time_ns;
    sum.ns_per_run = sum.run_cnt === 0 ? 0 : sum.run_time_ns / sum.run_cnt;
    byName.set(key, sum);
  }
  return [...byName.values()];
}

function added(a: { counted: number; truth: number; exact: boolean } | undefined, b: typeof a) {
  if (a === undefined || b === undefined) return a ?? b;
  return { counted: a.counted + b.counted, truth: a.truth + b.truth, exact: a.exact && b.exact };
}

/** Counts and truths summed over the rounds; exact only when every round was. */
function accuracyOf(rounds: readonly RoundResult[]): Partial<Record<Approach, Accuracy>> {
  const result: Partial<Record<Approach, Accuracy>> = {};
  for (const round of rounds) {
    for (const [approach, entry] of Object.entries(round.accuracy) as [Approach, Accuracy][]) {
      const sum = result[approach];
      if (sum === undefined) {
        result[approach] = structuredClone(entry);
        continue;
      }
      Object.assign(sum, added(sum, entry));
      const bytes = added(sum.bytes, entry.bytes);
      const observer = added(sum.observer, entry.observer);
      if (bytes !== undefined) sum.bytes = bytes;
      if (observer !== undefined) sum.observer = observer;
      // A measure not comparable in any round is not comparable in the sum.
      if (entry.not_comparable !== undefined) {
        sum.not_comparable = { ...sum.not_comparable, ...entry.not_comparable };
      }
    }
  }
  return result;
}

/** The latency curve's median at each of its percentiles over the rounds. */
function distributionOf(rounds: readonly RoundResult[]) {
  const first = rounds[0]?.latency_distribution ?? [];
  return first.map((point, i) => ({
    percentile: point.percentile,
    ms: median(rounds.map((r) => r.latency_distribution[i]?.ms ?? point.ms)),
  }));
}

const NO_LATENCY: Latency = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };

/** The figures of a scenario with no finished round: zeros, and nothing measured. */
const NOT_RUN = {
  rps: 0,
  latency_ms: NO_LATENCY,
  latency_distribution: [],
  schedule_lag_ms: NO_LATENCY,
  errors: 0,
  app_cpu_us_per_request: { user: 0, system: 0, total: 0 },
  cost_us_per_request: { app: 0, total: 0, neighbours: 0 },
  processes: [],
  bpf_programs: [],
  accuracy: {},
  rounds: [],
};

/**
 * A scenario's figures over its rounds: medians, with each overhead a ratio to the baseline
 * of the same round with its interval (the machine's noise drifts between rounds more than
 * within one).
 */
export function summarize(
  scenario: Pick<ScenarioReport, 'name' | 'description'>,
  rounds: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
  settings: IntervalSettings & { productionRate?: number | undefined },
): Omit<ScenarioReport, 'status' | 'reason'> {
  if (rounds.length === 0) return { ...scenario, ...NOT_RUN };
  const isBaseline = scenario.name === 'baseline';
  const overhead = isBaseline ? undefined : overheadOf(rounds, baselines, settings);
  const { productionRate } = settings;
  const atRate =
    isBaseline || productionRate === undefined
      ? undefined
      : atProductionRate(rounds, baselines, productionRate, settings);
  return {
    ...scenario,
    rps: median(rounds.map((r) => r.rps)),
    latency_ms: medianOf<Latency>(rounds.map((r) => r.latency_ms)),
    latency_distribution: distributionOf(rounds),
    schedule_lag_ms: medianOf<Latency>(rounds.map((r) => r.schedule_lag_ms)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    app_cpu_us_per_request: medianOf(rounds.map((r) => r.app_cpu_us_per_request)),
    cost_us_per_request: medianOf(rounds.map((r) => r.cost_us_per_request)),
    ...(overhead === undefined ? {} : { overhead }),
    ...(atRate === undefined ? {} : { at_production_rate: atRate }),
    processes: processesOf(rounds),
    bpf_programs: programsOf(rounds),
    accuracy: accuracyOf(rounds),
    rounds: [...rounds],
  };
}
