import { failureOf, type LoadResult } from '@obscost/bench';
import { formatDuration } from '@obscost/flags';
import { BENCH_CLI } from '@obscost/infra';
import { startChild } from '@obscost/process';

export interface Load {
  url: string;
  conns: number;
  durationMs: number;
  /** Open model at this rate; closed model when undefined. */
  rate?: number;
}

/** The bench was stopped by Ctrl-C: the comparison ends with what it measured. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupted(String(signal.reason));
}

/**
 * One run of the load generator, in a process of its own so its CPU is not the runner's and
 * can be told apart; `started` is told its pid as soon as it exists (to meter it from its
 * first moment). An abort stops it as Ctrl-C would: the bench prints what it measured.
 */
export async function runBench(
  load: Load,
  signal: AbortSignal,
  started: (pid: number) => void = () => undefined,
): Promise<LoadResult> {
  // Aborted between two runs: the listener below would never hear of it.
  throwIfInterrupted(signal);
  const bench = startChild(process.execPath, [
    BENCH_CLI,
    ...['-url', load.url, '-conns', String(load.conns), '-dur', formatDuration(load.durationMs)],
    ...(load.rate === undefined ? [] : ['-rate', String(load.rate)]),
    '-json',
  ]);
  if (bench.pid !== undefined) started(bench.pid);
  const stop = (): void => {
    bench.signal('SIGINT');
  };
  signal.addEventListener('abort', stop);
  try {
    const code = await bench.closed;
    throwIfInterrupted(signal);
    const result = bench.stdout().trim();
    // The bench prints its figures even for a failed run (exit 1): no response, say.
    if (!result.startsWith('{')) {
      throw new Error(`the bench exited with code ${code}: ${bench.stderr().trim()}`);
    }
    const figures = JSON.parse(result) as LoadResult;
    // Not one successful response, or no connection at all: nothing here measures the app.
    const failure = failureOf(figures);
    if (failure !== undefined) throw new Error(`the load generator: ${failure}`);
    return figures;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
