import { type LoadResult } from '@obscost/bench';
import type { RunningApp } from '@obscost/infra';
import { freePorts } from '@obscost/process';
import { scrape, sumOf } from '@obscost/measure';
import { accuracyOf, settle, type Counts, type Truth } from './accuracy.js';
import type { Infrastructure } from './infrastructure.js';
import { Interrupted, runBench, type Load } from './load.js';
import {
  type CpuPlan,
  cpuSeconds,
  cpuSince,
  enableBpfStats,
  peakRssBytes,
  pin,
  programCosts,
  programCounters,
} from '@obscost/measure';
import type { CpuSeconds, ProcessCost, RoundResult } from '@obscost/report';
import { roundResult, type Measured } from './round-result.js';
import { BENCH_COMPONENT, RunMeter } from './run-meter.js';
import type { Observation, Scenario } from './scenarios/scenario.js';
import type { ServiceSpec } from './service-settings.js';
import { startTarget } from './target.js';

/** What every round of every scenario shares. */
export interface RoundSettings {
  path: string;
  /** The service the user named, observed instead of the project's app. */
  service?: ServiceSpec;
  conns: number;
  /** The open-model run: the cost a request. */
  durationMs: number;
  /** The closed-model run: the capacity. */
  capacityMs: number;
  warmupMs: number;
  /** Whether the kernel's BPF statistics are on during the scenarios that load BPF programs. */
  bpfStats: boolean;
  cpus: CpuPlan;
  infra: Infrastructure;
  signal: AbortSignal;
  /** Says what is going on, for the progress line. */
  status: (line: string) => void;
  /**
   * Watches the app through the open-model run: called just before it with the app's pid;
   * what it returns is called just after, with the requests the run completed (undefined
   * when the run failed).
   */
  watchOpenRun?: (appPid: number) => Promise<(requests: number | undefined) => Promise<void>>;
  /** Told where the component meter counts, once it is open. */
  noteMeterSource?: (source: string) => void;
}

/** The app's own count, read from its metrics listener: no request to the observed port. */
async function appCount(metricsPort: number): Promise<Counts> {
  const metrics = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
  return {
    app: {
      requests: sumOf(metrics, 'app_http_requests_total'),
      source: "the app's /metrics (APP_METRICS_PORT): app_http_requests_total",
    },
  };
}

const NO_CPU: CpuSeconds = { user: 0, system: 0 };

/** The CPU of every process, by name, now. */
function cpuOf(pids: Record<string, number>): Record<string, CpuSeconds> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
}

function truthOf(runs: readonly LoadResult[]): Truth {
  return {
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    bytes: runs.reduce((sum, r) => sum + r.bytes, 0),
  };
}

/** What a round started, recorded as it starts, so that whatever did start is stopped. */
interface Started {
  observation?: Observation;
  app?: RunningApp;
}

/** A fresh app pinned to its CPUs, with the scenario's observation attached to it. */
async function startObserved(
  scenario: Scenario<string>,
  run: number,
  settings: RoundSettings,
  started: Started,
  meter: RunMeter,
): Promise<{ app: RunningApp; observation: Observation; metricsPort: number }> {
  const observation = await scenario.observe(settings.infra, run, settings.service);
  started.observation = observation;
  const [metricsPort = 0] = await freePorts(1);
  const app = await startTarget(settings.service, {
    ...observation.appEnv,
    APP_METRICS_PORT: String(metricsPort),
  });
  started.app = app;
  // Counted from its first moment in the run: its start-up is no part of any run measured.
  meter.add('app', app.pid ?? 0);
  await pin(app.pid ?? 0, settings.cpus.app);
  await observation.attach(app);
  for (const [name, pid] of Object.entries(observation.processes())) meter.add(name, pid);
  if (settings.signal.aborted) throw new Interrupted(String(settings.signal.reason));
  return { app, observation, metricsPort };
}

type Bench = (what: string, load: Omit<Load, 'url' | 'conns'>) => Promise<LoadResult>;

/** The open-model run at the rate `rate` picks from the closed run's capacity, watched if asked. */
async function openRun(
  bench: Bench,
  closed: LoadResult,
  rate: (capacity: number) => number,
  settings: RoundSettings,
  appPid: number,
): Promise<LoadResult> {
  const openRate = rate(closed.rps);
  const stopWatching = await settings.watchOpenRun?.(appPid);
  const open = await bench(`open model at ${openRate} req/s`, {
    durationMs: settings.durationMs,
    rate: openRate,
  }).catch(async (err: unknown) => {
    await stopWatching?.(undefined);
    throw err;
  });
  await stopWatching?.(open.requests);
  return open;
}

const benchNs = (run: LoadResult): number => (run.cpu_s.user + run.cpu_s.system) * 1e9;

/** Warm-up, the closed run and the open run, with every process's CPU and peak RSS. */
async function measureRuns(
  app: RunningApp,
  observation: Observation,
  meter: RunMeter,
  context: { settings: RoundSettings; rate: (capacity: number) => number },
  say: (what: string) => void,
): Promise<Measured> {
  const { settings, rate } = context;
  const appPid = app.pid ?? 0;
  const url = `${app.url}${settings.path}`;
  const bench: Bench = async (what, load) => {
    say(what);
    // Metered from its first moment: its start-up and exit are its own, not foreign load.
    return runBench({ url, conns: settings.conns, ...load }, settings.signal, (pid) => {
      meter.add(BENCH_COMPONENT, pid);
    });
  };
  const runs: LoadResult[] = [];
  if (settings.warmupMs > 0) runs.push(await bench('warm-up', { durationMs: settings.warmupMs }));

  const pids = { app: appPid, ...observation.processes() };
  const cpuBefore = cpuOf(pids);
  // Without the statistics the kernel counts no run of any program: none is reported.
  const programs = async () =>
    settings.bpfStats ? await programCounters(observation.bpfOwners()) : [];
  const programsBefore = await programs();
  const beforeClosed = meter.mark();
  const closed = await bench('closed model', { durationMs: settings.capacityMs });
  runs.push(closed);
  const beforeOpen = meter.mark();
  const appBeforeOpen = cpuSeconds(appPid);
  const open = await openRun(bench, closed, rate, settings, appPid);
  runs.push(open);
  const afterOpen = meter.mark();
  const appOpen = cpuSince(appBeforeOpen, cpuSeconds(appPid));
  const cpuAfter = cpuOf(pids);
  const programsAfter = await programs();
  const processes: ProcessCost[] = Object.entries(pids).map(([name, pid]) => ({
    name,
    pid,
    cpu_s: cpuSince(cpuBefore[name] ?? NO_CPU, cpuAfter[name] ?? NO_CPU),
    peak_rss_bytes: peakRssBytes(pid),
  }));
  return {
    runs,
    closed,
    open,
    closedRun: meter.between(beforeClosed, beforeOpen, benchNs(closed)),
    openRun: meter.between(beforeOpen, afterOpen, benchNs(open)),
    appOpen,
    processes,
    bpfPrograms: programCosts(programsBefore, programsAfter),
  };
}

/**
 * Each approach's count once settled, and the app's own, read last; a named service's own
 * count is not known (it has no metrics listener of ours).
 */
async function countApproaches(
  observation: Observation,
  truth: Truth,
  metricsPort: number,
  settings: RoundSettings,
): Promise<Counts> {
  const counted = await settle(() => observation.count(), truth, { signal: settings.signal });
  // Read last: the app answering its own scrape is a socket write the probes would count.
  if (settings.service === undefined) Object.assign(counted, await appCount(metricsPort));
  return counted;
}

/**
 * One scenario in one round, on a freshly started app pinned to its CPUs: warm-up, a
 * closed-model run for capacity, an open-model run at `rate` for latency and CPU per
 * request; then each approach's count, once settled, against what the bench received.
 * `rate` is called after the closed run: the first baseline sets it from its capacity.
 * `run` numbers the run in the comparison, for what the scenario names after it.
 */
export async function runRound(
  scenario: Scenario<string>,
  round: number,
  settings: RoundSettings,
  rate: (capacity: number) => number,
  run = round,
): Promise<RoundResult> {
  const say = (what: string): void => {
    settings.status(`round ${round}, ${scenario.name}: ${what}`);
  };
  const restoreStats = scenario.loadsBpf && settings.bpfStats ? enableBpfStats() : undefined;
  const started: Started = {};
  const meter = new RunMeter(settings.cpus, say);
  settings.noteMeterSource?.(meter.source);
  try {
    say('starting');
    const { app, observation, metricsPort } = await startObserved(
      scenario,
      run,
      settings,
      started,
      meter,
    );
    const measured = await measureRuns(app, observation, meter, { settings, rate }, say);
    say('waiting for every approach to settle');
    const truth = truthOf(measured.runs);
    const counted = await countApproaches(observation, truth, metricsPort, settings);
    return roundResult(round, measured, accuracyOf(counted, truth));
  } finally {
    say('stopping');
    // The processes first: a meter that cannot remove its groups must not leave them running.
    await started.observation?.stop();
    await started.app?.stop();
    meter.close();
    restoreStats?.();
  }
}
