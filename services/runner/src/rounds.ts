import { InfraError } from '@obscost/infra';
import type { CpuPlan } from '@obscost/measure';
import type { RoundResult, SetAside } from '@obscost/report';
import { runRound, type RoundSettings } from './comparison.js';
import { calibrationBurnUs } from './control-figures.js';
import type { Infrastructure } from './infrastructure.js';
import { Interrupted } from './load.js';
import {
  anotherRound,
  describeProgress,
  headlineIntervals,
  widestHalfWidth,
} from './more-rounds.js';
import type { OpenRate } from './open-rate.js';
import { overheadOf } from './overhead.js';
import { baselineAa, calibration, CONTROL_NAMES, roundOrder } from './scenarios/controls.js';
import type { Scenario } from './scenarios/scenario.js';
import { MAX_RERUNS, spoiled } from './set-aside.js';
import { capacityRunMs, type RunSettings } from './settings.js';
import type { StatusLine } from './status-line.js';

/** What the rounds need besides the scenarios. */
export interface RoundsContext {
  settings: RunSettings;
  cpus: CpuPlan;
  machineCpus: number;
  infra: Infrastructure;
  signal: AbortSignal;
  status: StatusLine;
  rate: OpenRate;
}

/** Each scenario's and control's finished rounds, and what else the report tells of them. */
export interface RoundsRun {
  results: Map<string, RoundResult[]>;
  /** The first reason each failed. */
  failures: Map<string, string>;
  interrupted: string | undefined;
  rounds: number;
  /** The runs started so far, set aside ones too: each run's number. */
  runs: number;
  setAside: SetAside[];
  /** Runs still spoiled after MAX_RERUNS, kept all the same: what a reader must know of them. */
  keptSpoiled: string[];
  /** The calibration's cost, µs a request; undefined without controls or a baseline. */
  burnUs: number | undefined;
  /** Where the component meter counted. */
  cpuMeter: string;
}

function firstLine(err: unknown): string {
  return ((err as Error).message || String(err)).split('\n')[0] ?? '';
}

/** Says why `scenario` failed in `round`; keeps its first reason. */
function noteFailure(
  run: RoundsRun,
  scenario: string,
  round: number,
  err: unknown,
  status: StatusLine,
) {
  const reason = `round ${round}: ${firstLine(err)}`;
  status.print(`obscost: ${scenario} failed: ${reason}`);
  // A component that did not come up: its log tail is the only record of why.
  if (err instanceof InfraError && err.details) status.print(err.details);
  if (!run.failures.has(scenario)) run.failures.set(scenario, reason);
}

/** The widest headline half-width so far, over every scenario against the baseline. */
function widestSoFar(run: RoundsRun, settings: RunSettings): number | undefined {
  const baselines = new Map((run.results.get('baseline') ?? []).map((r) => [r.round, r]));
  const scenarios = [...run.results]
    .filter(([name]) => name !== 'baseline' && !(CONTROL_NAMES as readonly string[]).includes(name))
    .map(([name, rounds]) => ({ name, overhead: overheadOf(rounds, baselines, settings) }));
  return widestHalfWidth(headlineIntervals(scenarios));
}

/** One scenario in one round, run again while its foreign load spoils it (MAX_RERUNS). */
async function runKept(
  scenario: Scenario<string>,
  round: number,
  run: RoundsRun,
  context: RoundsContext,
  roundSettings: RoundSettings,
): Promise<RoundResult> {
  const { settings, cpus, machineCpus, status } = context;
  const rate = context.rate.forScenario(scenario.name);
  for (let attempt = 0; ; attempt++) {
    const result = await runRound(scenario, round, roundSettings, rate, ++run.runs);
    const spoil = spoiled(result, cpus, machineCpus, settings.maxForeign);
    if (spoil === undefined) return result;
    if (attempt === MAX_RERUNS) {
      run.keptSpoiled.push(
        `${scenario.name}, round ${round}: kept after ${MAX_RERUNS} runs again, still ${spoil.reason}`,
      );
      return result;
    }
    run.setAside.push({ scenario: scenario.name, round, ...spoil });
    status.print(`obscost: ${scenario.name}, round ${round}: ${spoil.reason}: run again`);
  }
}

/**
 * The controls every round runs: none with --no-controls; no calibration on a named service,
 * the calibration burning its cost inside the project's app.
 */
function controlsOf(settings: RunSettings, burnUs: () => number | undefined) {
  if (settings.noControls) return undefined;
  return {
    aa: baselineAa,
    ...(settings.serviceSpec === undefined ? { calibration: calibration(burnUs) } : {}),
  };
}

/**
 * Rounds of every runnable scenario and the controls, in turn (A B C A B C ...), until
 * --repeat, or until every headline interval is within --target or --budget runs out. A
 * failed scenario runs again in the next round; Ctrl-C ends the rounds at once, with what
 * they measured.
 */
export async function runRounds(
  runnable: readonly Scenario[],
  context: RoundsContext,
): Promise<RoundsRun> {
  const { settings, status, signal } = context;
  const startedAt = Date.now();
  const run: RoundsRun = {
    results: new Map(),
    failures: new Map(),
    interrupted: undefined,
    rounds: 0,
    runs: 0,
    setAside: [],
    keptSpoiled: [],
    burnUs: settings.noControls ? undefined : settings.calibrationUs,
    cpuMeter: 'schedstat',
  };
  const controls = controlsOf(settings, () => run.burnUs);
  // --repeat fixes the rounds: no budget applies then.
  const budgetLeft = (): number | undefined =>
    settings.repeat === undefined ? settings.budgetMs - (Date.now() - startedAt) : undefined;
  // Before any round: no interval yet, where some scenario will have a ratio to the baseline.
  const ratios = runnable.some((s) => s.name !== 'baseline');
  let widest: number | undefined = ratios ? Number.POSITIVE_INFINITY : undefined;
  let progress = describeProgress(widest, budgetLeft());
  const roundSettings: RoundSettings = {
    path: settings.serviceSpec?.path ?? settings.path,
    ...(settings.serviceSpec === undefined ? {} : { service: settings.serviceSpec }),
    conns: settings.conns,
    durationMs: settings.durationMs,
    // The headline is the open run's: its seconds narrow the intervals, the closed run's do not.
    capacityMs: capacityRunMs(settings),
    warmupMs: settings.warmupMs,
    bpfStats: settings.bpfStats === 'on',
    cpus: context.cpus,
    infra: context.infra,
    signal,
    status: (line) => {
      status.set(progress === '' ? line : `[${progress}] ${line}`);
    },
    noteMeterSource: (source) => {
      run.cpuMeter = source;
    },
  };
  const plan = {
    fixed: settings.repeat,
    minRounds: settings.minRounds,
    target: settings.target,
    budgetMs: settings.budgetMs,
  };
  for (
    let round = 1;
    anotherRound(plan, { done: round - 1, elapsedMs: Date.now() - startedAt, widest });
    round++
  ) {
    progress = describeProgress(widest, budgetLeft());
    // Counted when it starts: an interrupted round's runs are in the report too.
    run.rounds = round;
    for (const scenario of roundOrder<Scenario<string>>(runnable, controls, round)) {
      try {
        const result = await runKept(scenario, round, run, context, roundSettings);
        run.results.set(scenario.name, [...(run.results.get(scenario.name) ?? []), result]);
        if (scenario.name === 'baseline' && run.burnUs === undefined && controls) {
          run.burnUs = calibrationBurnUs(result.cost_us_per_request.app);
        }
      } catch (err) {
        if (err instanceof Interrupted || signal.aborted) {
          return { ...run, interrupted: String(signal.reason ?? 'interrupted') };
        }
        noteFailure(run, scenario.name, round, err, status);
      }
    }
    widest = widestSoFar(run, settings);
  }
  return run;
}
