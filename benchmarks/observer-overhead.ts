/**
 * What the observer's probes cost the app: each scenario on a fresh app pinned to its own
 * CPU, the load generator and the observer on the other, a closed-model run for capacity
 * and an open-model run at one fixed rate for p99 and the app's CPU per request (the
 * comparison's rounds, services/runner/src/comparison.ts), the scenarios in turn, round
 * after round. The observer forwards nothing (--no-kafka): what is measured is what the
 * probes and the ring buffer cost the app, each event still drained and counted.
 *
 * With --profile, `perf record` samples the app through each open-model run, and each
 * sample is put to the part of the observer it was in (services/runner/src/measure/cpu-profile.ts):
 * what each part costs a request, next to the app's own work.
 *
 * Each cost is a ratio to the same round's baseline with its 95% interval, and every round
 * runs an A/A baseline and a calibration: the same statistics and controls as npm start.
 *
 *   npm run bench:overhead -- [--runs 5] [--dur 5s] [--conns 50] [--rate R]
 *                             [--scenarios LIST] [--profile] [--json]
 */
import { availableParallelism } from 'node:os';
import {
  type CpuProfile,
  cpuProfileUnavailable,
  median,
  pin,
  planCpus,
  PROFILE_PARTS,
  type ProfilePart,
  recordCpuProfile,
} from '@obscost/measure';
import { choiceListRule, positiveNumberRule, setting } from '@obscost/flags';
import type { RoundResult } from '@obscost/report';
import {
  aaControl,
  baseline,
  baselineAa,
  calibration,
  calibrationBurnUs,
  calibrationControl,
  controlNotes,
  Infrastructure,
  observerAlone,
  overheadNotes,
  overheadOf,
  roundOrder,
  runRound,
  type RoundSettings,
  type Scenario,
} from '@obscost/runner';
import { printOverhead } from './overhead-text.js';
import { benchmarkFlags, flag } from './settings.js';

const ALL_PROBES = ['write', 'tcp', 'uprobe'] as const;

const SCENARIOS: Scenario<string>[] = [
  baseline,
  observerAlone('ebpf-core', 'all probes, every event through the ring buffer', {
    marker: 'nop5',
    probes: ALL_PROBES,
  }),
  observerAlone('ebpf-inkernel', 'all probes, counted in the kernel (--mode count)', {
    marker: 'nop5',
    probes: ALL_PROBES,
    args: ['--mode', 'count'],
  }),
  observerAlone('ebpf-breakpoint', 'ebpf-core, the app calling the plain marker (a trap)', {
    marker: 'plain',
    probes: ALL_PROBES,
  }),
  ...ALL_PROBES.map((probe) =>
    observerAlone(`ebpf-${probe}`, `the ${probe} probe alone`, { marker: 'nop5', probes: [probe] }),
  ),
];
const NAMES = SCENARIOS.map((s) => s.name);

const values = benchmarkFlags('bench:overhead', "What the observer's probes cost the app.", {
  runs: flag.runs(5),
  dur: flag.dur('5s'),
  conns: flag.conns(50),
  rate: setting.custom({
    flag: 'rate',
    placeholder: 'R',
    help: "the open-model run's req/s (default: 0.25 of the first baseline's capacity)",
    parse: (text, name) => positiveNumberRule(name, text),
  }),
  scenarios: setting.custom({
    flag: 'scenarios',
    placeholder: 'LIST',
    default: NAMES.join(','),
    help: `comma-separated, baseline always runs: ${NAMES.join(', ')}`,
    parse: (text, name) => choiceListRule(name, text, NAMES, 'scenario'),
  }),
  profile: setting.switch({
    flag: 'profile',
    help: "sample the app's CPU with perf through each fixed-rate run, by part of the observer",
  }),
  json: setting.switch({ flag: 'json', help: 'print the results as JSON' }),
});

const chosen = SCENARIOS.filter((s) => s.name === 'baseline' || values.scenarios.includes(s.name));
const cpus = planCpus(availableParallelism());
await pin(process.pid, cpus.other);
const infra = await Infrastructure.create(() => undefined);
const unavailable = chosen.flatMap((s) => {
  const reason = s.unavailable(infra);
  return reason === undefined ? [] : [`${s.name}: ${reason}`];
});
const noProfile = values.profile ? await cpuProfileUnavailable() : undefined;
if (noProfile !== undefined) unavailable.push(`--profile: ${noProfile}`);
if (unavailable.length > 0) {
  await infra.stop();
  throw new Error(unavailable.join('; '));
}
const tty = process.stderr.isTTY && !values.json;
let rate = values.rate;
const settings: RoundSettings = {
  path: '/ping',
  conns: values.conns,
  durationMs: values.dur,
  capacityMs: values.dur,
  warmupMs: 1000,
  bpfStats: false,
  cpus,
  infra,
  signal: new AbortController().signal,
  status: (line) => {
    if (tty) process.stderr.write(`\r\x1b[2K  ${line}`);
  },
};
/** µs of the app's CPU a request, by part, from one run's samples. */
type PartCosts = Record<ProfilePart, number>;
const profiles = new Map<string, PartCosts[]>(chosen.map((s) => [s.name, []]));

/** With --profile, records the app through each fixed-rate run of `scenario`. */
function watcherFor(scenario: string): RoundSettings['watchOpenRun'] {
  if (!values.profile) return undefined;
  return async (appPid) => {
    const recording = await recordCpuProfile(appPid);
    return async (requests) => {
      const profile: CpuProfile = await recording.stop();
      if (requests === undefined) return;
      const usPerRequest = (samples: number): number =>
        requests === 0 ? 0 : (samples / profile.frequency_hz / requests) * 1e6;
      profiles
        .get(scenario)
        ?.push(
          Object.fromEntries(
            PROFILE_PARTS.map((part) => [part, usPerRequest(profile.parts[part])]),
          ) as PartCosts,
        );
    };
  };
}
let burnUs: number | undefined;
const controls = { aa: baselineAa, calibration: calibration(() => burnUs) };
const rounds = new Map<string, RoundResult[]>(
  [...chosen, controls.aa, controls.calibration].map((s) => [s.name, []]),
);
try {
  for (let round = 1; round <= values.runs; round++) {
    for (const scenario of roundOrder<Scenario<string>>(chosen, controls, round)) {
      const watchOpenRun = watcherFor(scenario.name);
      const roundSettings = watchOpenRun === undefined ? settings : { ...settings, watchOpenRun };
      const result = await runRound(scenario, round, roundSettings, (capacity) => {
        rate ??= Math.max(1, Math.round(capacity * 0.25));
        return rate;
      });
      const inexact = Object.entries(result.accuracy).filter(([, a]) => !a.exact);
      if (inexact.length > 0) {
        throw new Error(
          `${scenario.name}, round ${round}: not exact: ${inexact.map(([name, a]) => `${name} ${a.counted}/${a.truth}`).join(', ')}`,
        );
      }
      rounds.get(scenario.name)?.push(result);
      if (scenario.name === 'baseline')
        burnUs ??= calibrationBurnUs(result.cost_us_per_request.app);
    }
  }
} finally {
  if (tty) process.stderr.write('\r\x1b[2K');
  await infra.stop();
}

const cpuPerRequest = (r: RoundResult): number => r.app_cpu_us_per_request.total;
const base = rounds.get('baseline') ?? [];
const baselines = new Map(base.map((r) => [r.round, r]));
const STATISTICS = { confidence: 0.95, target: 0.03 };
const checks = {
  aa: aaControl(rounds.get('baseline-aa') ?? [], baselines, STATISTICS),
  calibration: calibrationControl(
    rounds.get('calibration') ?? [],
    baselines,
    burnUs ?? 0,
    STATISTICS,
  ),
};
/** Each ratio that lost rounds to a figure of 0 (a run that measured nothing): which, and why. */
const leftOut = [
  ...chosen
    .filter((s) => s.name !== 'baseline')
    .flatMap((s) => overheadNotes(s.name, rounds.get(s.name) ?? [], baselines)),
  ...controlNotes(
    rounds.get('baseline-aa') ?? [],
    rounds.get('calibration') ?? [],
    baselines,
    burnUs ?? 0,
  ),
];
/** A control's figures without its rounds. */
const figuresOf = (control: object) =>
  Object.fromEntries(Object.entries(control).filter(([key]) => key !== 'rounds'));
const baseRps = median(base.map((r) => r.rps));
const baseCpu = median(base.map(cpuPerRequest));
const OBSERVER_PARTS = PROFILE_PARTS.filter((part) => part !== 'rest');
/**
 * The app's own work a request: the median of what no part of the observer took, over every
 * run of every scenario. A fresh app's own work spreads by ±20% from run to run, more than
 * the observer costs, so one scenario's runs would set its share by their noise.
 */
const ownWork = [...profiles.values()].flat().map((r) => r.rest);
const appOwnUs = ownWork.length === 0 ? NaN : median(ownWork);
/** Each part's median over the runs, µs a request, and their sum against the app's own work. */
const profileOf = (name: string) => {
  const runs = profiles.get(name) ?? [];
  if (runs.length === 0) return undefined;
  const parts = Object.fromEntries(
    PROFILE_PARTS.map((part) => [part, median(runs.map((r) => r[part]))]),
  ) as PartCosts;
  const observerUs = OBSERVER_PARTS.reduce((sum, part) => sum + parts[part], 0);
  const share = observerUs / appOwnUs;
  // The app pinned to one CPU and busy: capacity goes as the inverse of its CPU a request.
  return { us_per_request: parts, observer_us: observerUs, share, implied_ratio: 1 / (1 + share) };
};
const results = chosen.map((scenario) => {
  const runs = rounds.get(scenario.name) ?? [];
  const rps = median(runs.map((r) => r.rps));
  const cpu = median(runs.map(cpuPerRequest));
  const profile = profileOf(scenario.name);
  return {
    name: scenario.name,
    description: scenario.description,
    rps_median: rps,
    p99_ms_median: median(runs.map((r) => r.latency_ms.p99)),
    app_cpu_us_per_request: cpu,
    ratio: rps / baseRps,
    cpu_ratio: cpu / baseCpu,
    ...(scenario.name === 'baseline' ? {} : { overhead: overheadOf(runs, baselines, STATISTICS) }),
    ...(profile === undefined ? {} : { profile }),
    runs: runs.map((r, i) => ({
      rps: r.rps,
      p99_ms: r.latency_ms.p99,
      app_cpu_us_per_request: cpuPerRequest(r),
      app_cpu_fraction: r.app_cpu_fraction,
      bench_cpu_fraction: r.bench_cpu_fraction,
      processes: r.processes.map((p) => ({ name: p.name, cpu_s: p.cpu_s.user + p.cpu_s.system })),
      ...(values.profile ? { profile_us_per_request: profiles.get(scenario.name)?.[i] } : {}),
    })),
  };
});

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ runs: values.runs, duration_s: values.dur / 1000, conns: values.conns, rate, app_cpus: cpus.app, ...(values.profile ? { app_own_us_per_request: appOwnUs } : {}), controls: { aa: figuresOf(checks.aa), calibration: figuresOf(checks.calibration) }, left_out: leftOut, scenarios: results }, null, 2)}\n`,
  );
} else {
  printOverhead({
    conns: values.conns,
    durS: values.dur / 1000,
    rate,
    runs: values.runs,
    cpus,
    profile: values.profile ? { appOwnUs, parts: OBSERVER_PARTS } : undefined,
    checks,
    burnUs: burnUs ?? 0,
    leftOut,
    results,
  });
}
