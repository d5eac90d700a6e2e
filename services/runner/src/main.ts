import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { EXIT, onShutdown, runMain, SHUTDOWN_SIGNALS } from '@obscost/errors';
import { formatTable, renderHtml, type Report } from '@obscost/report';
import { assembleReport } from './assemble-report.js';
import { cpuPlan, placeRunner } from './cpu-placement.js';
import { Infrastructure } from './infrastructure.js';
import { OpenRate } from './open-rate.js';
import { runRounds } from './rounds.js';
import { SCENARIOS } from './scenarios.js';
import type { Scenario } from './scenarios/scenario.js';
import { parseRunArgs, USAGE, type RunSettings } from './settings.js';
import { StatusLine } from './status-line.js';

/** Ctrl-C or SIGTERM aborts the comparison; the function returned stops listening. */
function abortOnSignals(abort: AbortController, status: StatusLine): () => void {
  // A second Ctrl-C must not kill the runner before it has stopped what it started.
  return onShutdown(
    SHUTDOWN_SIGNALS,
    (signal) => {
      status.print(`obscost: ${signal}: stopping, and writing what was measured`);
      abort.abort(signal);
    },
    { again: 'ignore' },
  );
}

/** The scenarios the flags name, and why those that cannot run here are skipped. */
function chooseScenarios(settings: RunSettings, infra: Infrastructure, status: StatusLine) {
  const chosen = SCENARIOS.filter((s) => settings.scenarios.includes(s.name));
  const skipped = new Map(
    chosen.flatMap((s) => {
      const reason = s.unavailable(infra, settings.serviceSpec);
      return reason === undefined ? [] : [[s.name, reason] as const];
    }),
  );
  for (const [name, reason] of skipped) status.print(`obscost: ${name} skipped: ${reason}`);
  const runnable: readonly Scenario[] = chosen.filter((s) => !skipped.has(s.name));
  return { chosen, skipped, runnable };
}

/** The comparison: CPUs planned, the infrastructure up, the rounds run, the report made. */
async function compare(settings: RunSettings, status: StatusLine): Promise<Report> {
  const startedAt = new Date().toISOString();
  const machineCpus = availableParallelism();
  const cpus = cpuPlan(settings, machineCpus);
  const warnings = await placeRunner(cpus, status);
  const abort = new AbortController();
  const stopListening = abortOnSignals(abort, status);
  const infra = await Infrastructure.create((line) => {
    status.print(`obscost: ${line}`);
  });
  const { chosen, skipped, runnable } = chooseScenarios(settings, infra, status);
  const rate = new OpenRate(settings, status);
  const run = await runRounds(runnable, {
    settings,
    cpus,
    machineCpus,
    infra,
    signal: abort.signal,
    status,
    rate,
  }).finally(async () => {
    status.set('stopping the infrastructure');
    await infra.stop();
    status.clear();
    stopListening();
  });
  return assembleReport({
    startedAt,
    machineCpus,
    cpus,
    settings,
    chosen,
    skipped,
    run,
    rate,
    warnings,
  });
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
  if (report.unreliable !== undefined)
    process.stderr.write(`obscost: UNRELIABLE: ${report.unreliable}\n`);
  process.stderr.write(`obscost: report in ${json} and ${html}\n`);
  if (report.interrupted !== undefined) return EXIT.interrupted;
  return report.scenarios.some((s) => s.status === 'failed') ? 1 : 0;
}

// After a flag error the whole usage follows, as it always has.
runMain('obscost', () => main(process.argv.slice(2)), { usageHint: USAGE });
