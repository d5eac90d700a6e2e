import { release } from 'node:os';
import type { CpuPlan } from '@obscost/measure';
import { REPORT_VERSION, type Report, type ScenarioReport } from '@obscost/report';
import type { OpenRate } from './open-rate.js';
import { roundWarnings } from './round-warnings.js';
import type { RoundsRun } from './rounds.js';
import type { Scenario } from './scenarios/scenario.js';
import type { RunSettings } from './settings.js';
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
function scenarioReports({ chosen, skipped, run }: Comparison): ScenarioReport[] {
  const { results, failures, interrupted } = run;
  const baselines = new Map((results.get('baseline') ?? []).map((r) => [r.round, r]));
  return chosen.map((s): ScenarioReport => {
    const done = results.get(s.name) ?? [];
    const reason = skipped.get(s.name) ?? failures.get(s.name);
    const state = skipped.has(s.name) ? 'skipped' : failures.has(s.name) ? 'failed' : 'ok';
    if (done.length === 0) {
      return {
        ...summarize({ name: s.name, description: s.description }, [], baselines),
        status: state === 'ok' ? 'skipped' : state,
        reason: reason ?? `interrupted (${interrupted ?? 'no round ran'})`,
      };
    }
    return {
      ...summarize({ name: s.name, description: s.description }, done, baselines),
      status: state,
      ...(reason === undefined ? {} : { reason }),
    };
  });
}

/** The report of a comparison that has ended, finished now. */
export function assembleReport(comparison: Comparison): Report {
  const { settings, cpus, rate, run } = comparison;
  const scenarios = scenarioReports(comparison);
  return {
    version: REPORT_VERSION,
    started_at: comparison.startedAt,
    finished_at: new Date().toISOString(),
    ...(run.interrupted === undefined ? {} : { interrupted: run.interrupted }),
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
      warmup_s: settings.warmupMs / 1000,
      conns: settings.conns,
      repeat: settings.repeat,
      rate: rate.rate,
      rate_source: rate.rateSource,
      path: settings.path,
      bpf_stats: settings.bpfStats === 'on',
    },
    scenarios,
    warnings: [
      ...comparison.warnings,
      ...rate.warnings,
      ...roundWarnings(scenarios, rate.rate, cpus.app.length > 0),
    ],
  };
}
