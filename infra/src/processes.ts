import path from 'node:path';
import type { LoadResult } from '@obscost/bench';
import { runToEnd, startChild, type Child } from '@obscost/process';
import { ROOT } from './config.js';

export const APP_MAIN = path.join(ROOT, 'services/app/dist/src/main.js');
export const BENCH_CLI = path.join(ROOT, 'services/bench/dist/src/cli.js');
export const RUNNER_MAIN = path.join(ROOT, 'services/runner/dist/src/main.js');
export const OBSERVER_MAIN = path.join(ROOT, 'services/observer/dist/src/main.js');
export const AGGREGATOR_MAIN = path.join(ROOT, 'services/aggregator/dist/src/main.js');
export const STACK_CLI_MAIN = path.join(ROOT, 'infra/dist/src/stack-cli.js');
export const REPLAY_MAIN = path.join(ROOT, 'services/aggregator/dist/src/replay.js');

/** A service of ours that printed the URL it serves on. */
export interface Listening extends Child {
  url: string;
}

/**
 * Starts a Node service of ours and waits until it prints the URL it listens on; one that
 * exits or stays silent is stopped and reported with its output.
 */
async function startListening(
  what: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  printed: RegExp,
): Promise<Listening> {
  const child = startChild(process.execPath, args, { env });
  try {
    const [, url = ''] = await child.waitForOutput(printed, `the ${what} to listen`);
    return Object.assign(child, { url });
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** The app; `url` is its base URL, e.g. http://127.0.0.1:40123. */
export type RunningApp = Listening;

/** Starts the real app (PORT=0 unless given: a free port) and waits until it listens. */
export function startApp(env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  return startListening(
    'app',
    [APP_MAIN],
    { PORT: '0', ...env },
    /app listening on (http:\/\/\S+)/,
  );
}

/** The eBPF observer; `url` is its metrics URL. */
export type RunningObserver = Listening;

/** Starts the real eBPF observer on a free port and waits until it serves its metrics. */
export function startObserver(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningObserver> {
  return startListening(
    'observer',
    [OBSERVER_MAIN, '--port', '0', ...args],
    env,
    /metrics on (http:\/\/\S+)/,
  );
}

/** The aggregator; `url` is its Prometheus exporter's URL. */
export type RunningAggregator = Listening;

/** Starts the aggregator on a free port; it serves metrics before Kafka answers. */
export function startAggregator(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningAggregator> {
  return startListening(
    'aggregator',
    [AGGREGATOR_MAIN, '--port', '0', ...args],
    env,
    /metrics on (http:\/\/\S+)/,
  );
}

/**
 * Runs the bench CLI with `args` and `-json` in a process of its own; resolves with its result.
 * `timeoutMs` is runToEnd's: a run longer than its default must say so.
 */
export async function benchJson(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<LoadResult> {
  const { code, stdout, stderr } = await runToEnd(
    process.execPath,
    [BENCH_CLI, ...args, '-json'],
    options,
  );
  if (code !== 0) throw new Error(`bench exited with code ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout) as LoadResult;
}
