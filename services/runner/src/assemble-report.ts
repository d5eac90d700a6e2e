import { release } from 'node:os';
import { intervalEnds, type CpuPlan } from '@obscost/measure';
import {
  REPORT_VERSION,
  type Report,
  type RoundResult,
  type ScenarioReport,
} from '@obscost/report';
import { aaControl, calibrationControl, controlNotes } from './control-figures.js';
import { headlineIntervals, notPrecise } from './more-rounds.js';
import { overheadNotes } from './overhead.js';
import type { OpenRate } from './open-rate.js';
import { roundWarnings } from './round-warnings.js';
import type { RoundsRun } from './rounds.js';
import type { Scenario } from './scenarios/scenario.js';
import { capacityRunMs, type RunSettings } from './settings.js';
import { summarize } from './summarize.js';

/** Everything the comparison did, as the report tells it. */
export interface Comparison {
  startedAt: string;
  machineCpus: number;
  cpus: CpuPlan;
  settings: RunSettings;
  /** The scenarios asked for, in the order they run; the skipped ones with why. */
  chosen: readonly Scenario[];
  skipped: ReadonlyMap<string, string>;
  run: RoundsRun;
  rate: OpenRate;
  /** What was found before the rounds (one CPU, say). */
  warnings: readonly string[];
}

/** Each scenario asked for, summarized over its rounds, with its status and reason. */
function scenarioReports(
  { chosen, skipped, run, settings }: Comparison,
  baselines: ReadonlyMap<number, RoundResult>,
): ScenarioReport[] {
  const { results, failures, interrupted } = run;
  return chosen.map((s): ScenarioReport => {
    const done = results.get(s.name) ?? [];
    const reason = skipped.get(s.name) ?? failures.get(s.name);
    const state = skipped.has(s.name) ? 'skipped' : failures.has(s.name) ? 'failed' : 'ok';
    if (done.length === 0) {
      return {
        ...summarize({ name: s.name, description: s.description }, [], baselines, settings),
        status: state === 'ok' ? 'skipped' : state,
        reason: reason ?? `interrupted (${interrupted ?? 'no round ran'})`,
      };
    }
    return {
      ...summarize({ name: s.name, description: s.description }, done, baselines, settings),
      status: state,
      ...(reason === undefined ? {} : { reason }),
    };
  });
}

/** Why a named service has no calibration. */
export const CALIBRATION_ON_SERVICE =
  "the known cost is burnt inside the project's app (APP_BURN_US), which a named service is not";

/** The controls' figures, or undefined when they did not run (--no-controls). */
function controlsOf(
  { run, settings }: Comparison,
  baselines: ReadonlyMap<number, RoundResult>,
): Report['controls'] {
  if (settings.noControls) return undefined;
  const aa = aaControl(run.results.get('baseline-aa') ?? [], baselines, settings);
  if (settings.serviceSpec !== undefined)
    return { aa, calibration_skipped: CALIBRATION_ON_SERVICE };
  return {
    aa,
    calibration: calibrationControl(
      run.results.get('calibration') ?? [],
      baselines,
      run.burnUs ?? 0,
      settings,
    ),
  };
}

/** What the report says at its top when a control did not hold, or could not be checked. */
export function unreliableReason(controls: Report['controls']): string | undefined {
  if (controls === undefined) return undefined;
  const { aa, calibration } = controls;
  const intervals = [aa.app, aa.total, aa.neighbours, ...(calibration ? [calibration.ratio] : [])];
  if (intervals.some((i) => !intervalEnds(i))) {
    return (
      'a control has fewer than 2 rounds beside the baseline (that measured something): ' +
      'nothing checked this run'
    );
  }
  const failed = [
    ...(controls.aa.holds ? [] : ["the A/A control's ratios to the baseline do not all contain 1"]),
    ...(calibration === undefined || calibration.holds
      ? []
      : [
          `the calibration's known ${calibration.burn_us} µs a request was measured as ` +
            `${calibration.extra_us.toFixed(1)} µs, its interval not containing it`,
        ]),
  ];
  return failed.length === 0 ? undefined : `${failed.join('; ')}: this run cannot be trusted`;
}

/** Each ratio, of a scenario or a control, that lost rounds to a figure of 0: which, and why. */
function leftOutWarnings(
  { chosen, run, settings }: Comparison,
  baselines: ReadonlyMap<number, RoundResult>,
): string[] {
  const scenarioNotes = chosen
    .filter((s) => s.name !== 'baseline')
    .flatMap((s) => overheadNotes(s.name, run.results.get(s.name) ?? [], baselines));
  if (settings.noControls) return scenarioNotes;
  const controls = controlNotes(
    run.results.get('baseline-aa') ?? [],
    run.results.get('calibration') ?? [],
    baselines,
    run.burnUs ?? 0,
  );
  return [...scenarioNotes, ...controls];
}

/** The report of a comparison that has ended, finished now. */
export function assembleReport(comparison: Comparison): Report {
  const { settings, cpus, rate, run } = comparison;
  const baselines = new Map((run.results.get('baseline') ?? []).map((r) => [r.round, r]));
  const scenarios = scenarioReports(comparison, baselines);
  const controls = controlsOf(comparison, baselines);
  const unreliable = unreliableReason(controls);
  return {
    version: REPORT_VERSION,
    started_at: comparison.startedAt,
    finished_at: new Date().toISOString(),
    ...(run.interrupted === undefined ? {} : { interrupted: run.interrupted }),
    ...(unreliable === undefined ? {} : { unreliable }),
    machine: {
      cpus: comparison.machineCpus,
      kernel: release(),
      node: process.version,
      app_cpus: cpus.app,
      other_cpus: cpus.other,
    },
    settings: {
      scenarios: comparison.chosen.map((s) => s.name),
      duration_s: settings.durationMs / 1000,
      capacity_duration_s: capacityRunMs(settings) / 1000,
      warmup_s: settings.warmupMs / 1000,
      conns: settings.conns,
      repeat: run.rounds,
      fixed_rounds: settings.repeat !== undefined,
      min_rounds: settings.minRounds,
      target: settings.target,
      budget_s: settings.budgetMs / 1000,
      confidence: settings.confidence,
      max_foreign: settings.maxForeign,
      cpu_meter: run.cpuMeter,
      rate: rate.rate,
      ...(settings.productionRate === undefined
        ? {}
        : { production_rate: settings.productionRate }),
      rate_source: rate.rateSource,
      path: settings.serviceSpec?.path ?? settings.path,
      ...(settings.serviceSpec === undefined
        ? {}
        : {
            service: {
              command: settings.serviceSpec.command,
              url: `${settings.serviceSpec.origin}${settings.serviceSpec.path}`,
            },
          }),
      bpf_stats: settings.bpfStats === 'on',
    },
    scenarios,
    ...(controls === undefined ? {} : { controls }),
    not_precise: notPrecise(headlineIntervals(scenarios), settings.target),
    set_aside: run.setAside,
    warnings: [
      ...comparison.warnings,
      ...rate.warnings,
      ...roundWarnings(scenarios, rate.rate, cpus.app.length > 0),
      ...leftOutWarnings(comparison, baselines),
      ...run.keptSpoiled,
    ],
  };
}
