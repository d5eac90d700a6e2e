import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import path from 'node:path';
import { runMain } from '@obscost/errors';
import { InfraError } from '@obscost/infra';
import { runRound, type RoundSettings } from './comparison.js';

import { RunError } from './errors.js';
import { Infrastructure } from './infrastructure.js';
import { Interrupted } from './load.js';
import { pin, planCpus } from '@obscost/measure';
import {
  formatTable,
  renderHtml,
  REPORT_VERSION,
  type Report,
  type RoundResult,
  type ScenarioReport,
} from '@obscost/report';
import { SCENARIOS } from './scenarios.js';
import { parseRunArgs, USAGE, type RunSettings } from './settings.js';
import { StatusLine } from './status-line.js';
import { summarize } from './summarize.js';

/** A shell's exit code after Ctrl-C: what was measured is written, nothing failed. */
const EXIT_INTERRUPTED = 130;

/** An open run that answered less than this share of the rate asked was overloaded. */
const OPEN_RATE_KEPT = 0.95;

/** Below this share of its CPU in the closed run, the app was not what set the capacity. */
const APP_SATURATED = 0.9;

/** Above this share of one CPU, the load generator may have set the pace, not the app. */
const BENCH_SATURATED = 0.9;

function cpuPlan(settings: RunSettings, machineCpus: number) {
  try {
    return planCpus(machineCpus, settings.appCpus, settings.otherCpus);
  } catch (err) {
    throw new RunError('RUN_USAGE', `--app-cpus/--other-cpus: ${(err as Error).message}`);
  }
}

function firstLine(err: unknown): string {
  return ((err as Error).message || String(err)).split('\n')[0] ?? '';
}

/** What a reader must know before trusting a round's figures: see docs/report.md. */
function roundWarnings(
  scenarios: readonly ScenarioReport[],
  rate: number,
  pinned: boolean,
): string[] {
  const found: string[] = [];
  for (const s of scenarios) {
    for (const r of s.rounds) {
      if (r.open_rps < OPEN_RATE_KEPT * rate) {
        found.push(
          `${s.name} answered ${Math.round(r.open_rps)} of the ${rate} req/s asked in its ` +
            `open run (round ${r.round}): above its capacity, its latency is mostly queueing`,
        );
      }
      if (pinned && r.app_cpu_fraction < APP_SATURATED) {
        found.push(
          `the app used only ${r.app_cpu_fraction.toFixed(2)} of its CPU in ${s.name}'s closed ` +
            `run (round ${r.round}): something else set that capacity, such as the load ` +
            `generator starved by what shares its CPUs`,
        );
      }
      if (r.bench_cpu_fraction > BENCH_SATURATED) {
        found.push(
          `the load generator used ${r.bench_cpu_fraction.toFixed(2)} of a CPU in ${s.name}'s ` +
            `closed run (round ${r.round}): its capacity may be the generator's, not the app's`,
        );
      }
    }
  }
  return found;
}

async function compare(settings: RunSettings, status: StatusLine): Promise<Report> {
  const startedAt = new Date().toISOString();
  const machineCpus = availableParallelism();
  const cpus = cpuPlan(settings, machineCpus);
  const warnings: string[] = [];
  if (cpus.app.length === 0) {
    warnings.push('one CPU: the app shares it with the load generator and every other process');
  } else {
    status.print(
      `obscost: the app on CPU ${cpus.app.join(',')}; the load generator and the rest on CPU ${cpus.other.join(',')}`,
    );
  }
  // Everything the runner starts inherits its CPUs: only the app is moved to its own.
  await pin(process.pid, cpus.other);

  const abort = new AbortController();
  // A second Ctrl-C must not kill the runner before it has stopped what it started.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return;
    status.print(`obscost: ${signal}: stopping, and writing what was measured`);
    abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const infra = await Infrastructure.create((line) => {
    status.print(`obscost: ${line}`);
  });
  const chosen = SCENARIOS.filter((s) => settings.scenarios.includes(s.name));
  const skipped = new Map(
    chosen.flatMap((s) => {
      const reason = s.unavailable(infra);
      return reason === undefined ? [] : [[s.name, reason] as const];
    }),
  );
  for (const [name, reason] of skipped) status.print(`obscost: ${name} skipped: ${reason}`);
  const runnable = chosen.filter((s) => !skipped.has(s.name));

  let rate = settings.rate;
  let rateSource = rate === undefined ? '' : '--rate';
  const rateFor = (scenario: string) => (capacity: number) => {
    if (rate === undefined) {
      rate = Math.max(1, Math.round(capacity * settings.rateFraction));
      rateSource = `${settings.rateFraction} of the ${scenario} capacity in round 1`;
      if (scenario !== 'baseline') warnings.push(`the baseline failed: the rate is ${rateSource}`);
      status.print(`obscost: the open-model rate is ${rate} req/s, ${rateSource}`);
    }
    return rate;
  };

  // Scenario runs finished so far, for the live line's "[3/12]".
  let runs = 0;
  const roundSettings: RoundSettings = {
    path: settings.path,
    conns: settings.conns,
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
    bpfStats: settings.bpfStats === 'on',
    cpus,
    infra,
    signal: abort.signal,
    status: (line) => {
      status.set(`[${runs + 1}/${settings.repeat * runnable.length}] ${line}`);
    },
  };
  const rounds = new Map(runnable.map((s) => [s.name, [] as RoundResult[]]));
  const failures = new Map<string, string>();
  let interrupted: string | undefined;
  try {
    rounds: for (let round = 1; round <= settings.repeat; round++) {
      for (const scenario of runnable) {
        try {
          rounds
            .get(scenario.name)
            ?.push(await runRound(scenario, round, roundSettings, rateFor(scenario.name)));
        } catch (err) {
          if (err instanceof Interrupted || abort.signal.aborted) {
            interrupted = String(abort.signal.reason ?? 'interrupted');
            break rounds;
          }
          const reason = `round ${round}: ${firstLine(err)}`;
          status.print(`obscost: ${scenario.name} failed: ${reason}`);
          // A component that did not come up: its log tail is the only record of why.
          if (err instanceof InfraError && err.details) status.print(err.details);
          if (!failures.has(scenario.name)) failures.set(scenario.name, reason);
        }
        runs++;
      }
    }
  } finally {
    status.set('stopping the infrastructure');
    await infra.stop();
    status.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const baselines = new Map((rounds.get('baseline') ?? []).map((r) => [r.round, r]));
  const scenarios: ScenarioReport[] = chosen.map((s): ScenarioReport => {
    const done = rounds.get(s.name) ?? [];
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
  warnings.push(...roundWarnings(scenarios, rate ?? 0, cpus.app.length > 0));
  return {
    version: REPORT_VERSION,
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    ...(interrupted === undefined ? {} : { interrupted }),
    machine: {
      cpus: machineCpus,
      kernel: release(),
      node: process.version,
      app_cpus: cpus.app,
      other_cpus: cpus.other,
    },
    settings: {
      scenarios: chosen.map((s) => s.name),
      duration_s: settings.durationMs / 1000,
      warmup_s: settings.warmupMs / 1000,
      conns: settings.conns,
      repeat: settings.repeat,
      rate: rate ?? 0,
      rate_source: rateSource,
      path: settings.path,
      bpf_stats: settings.bpfStats === 'on',
    },
    scenarios,
    warnings,
  };
}

async function main(argv: string[]): Promise<number> {
  const settings = parseRunArgs(argv);
  if (settings === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const status = new StatusLine(process.stderr);
  const report = await compare(settings, status);
  mkdirSync(settings.out, { recursive: true });
  const json = path.join(settings.out, 'report.json');
  const html = path.join(settings.out, 'report.html');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtml(report));
  process.stdout.write(formatTable(report));
  process.stderr.write(`obscost: report in ${json} and ${html}\n`);
  if (report.interrupted !== undefined) return EXIT_INTERRUPTED;
  return report.scenarios.some((s) => s.status === 'failed') ? 1 : 0;
}

// After a flag error the whole usage follows, as it always has.
runMain('obscost', () => main(process.argv.slice(2)), { usageHint: USAGE });
