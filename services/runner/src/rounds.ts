import { InfraError } from '@obscost/infra';
import type { CpuPlan } from '@obscost/measure';
import type { RoundResult } from '@obscost/report';
import { runRound, type RoundSettings } from './comparison.js';
import type { Infrastructure } from './infrastructure.js';
import { Interrupted } from './load.js';
import type { OpenRate } from './open-rate.js';
import type { Scenario } from './scenarios/scenario.js';
import type { RunSettings } from './settings.js';
import type { StatusLine } from './status-line.js';

/** What the rounds need besides the scenarios. */
export interface RoundsContext {
  settings: RunSettings;
  cpus: CpuPlan;
  infra: Infrastructure;
  signal: AbortSignal;
  status: StatusLine;
  rate: OpenRate;
}

/** Each scenario's finished rounds; the first reason each failed; what interrupted them. */
export interface RoundsRun {
  results: Map<string, RoundResult[]>;
  failures: Map<string, string>;
  interrupted: string | undefined;
}

function firstLine(err: unknown): string {
  return ((err as Error).message || String(err)).split('\n')[0] ?? '';
}

/** Says why `scenario` failed in `round`; keeps its first reason. */
function noteFailure(
  failures: Map<string, string>,
  scenario: string,
  round: number,
  err: unknown,
  status: StatusLine,
): void {
  const reason = `round ${round}: ${firstLine(err)}`;
  status.print(`obscost: ${scenario} failed: ${reason}`);
  // A component that did not come up: its log tail is the only record of why.
  if (err instanceof InfraError && err.details) status.print(err.details);
  if (!failures.has(scenario)) failures.set(scenario, reason);
}

/**
 * Every round of every runnable scenario, in turn (A B C A B C ...). A failed scenario runs
 * again in the next round; Ctrl-C ends the rounds at once, with what they measured.
 */
export async function runRounds(
  runnable: readonly Scenario[],
  context: RoundsContext,
): Promise<RoundsRun> {
  const { settings, status, signal } = context;
  // Scenario runs finished so far, for the live line's "[3/12]".
  let runs = 0;
  const roundSettings: RoundSettings = {
    path: settings.path,
    conns: settings.conns,
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
    bpfStats: settings.bpfStats === 'on',
    cpus: context.cpus,
    infra: context.infra,
    signal,
    status: (line) => {
      status.set(`[${runs + 1}/${settings.repeat * runnable.length}] ${line}`);
    },
  };
  const results = new Map(runnable.map((s) => [s.name, [] as RoundResult[]]));
  const failures = new Map<string, string>();
  for (let round = 1; round <= settings.repeat; round++) {
    for (const scenario of runnable) {
      try {
        const rate = context.rate.forScenario(scenario.name);
        results.get(scenario.name)?.push(await runRound(scenario, round, roundSettings, rate));
      } catch (err) {
        if (err instanceof Interrupted || signal.aborted) {
          return { results, failures, interrupted: String(signal.reason ?? 'interrupted') };
        }
        noteFailure(failures, scenario.name, round, err, status);
      }
      runs++;
    }
  }
  return { results, failures, interrupted: undefined };
}
