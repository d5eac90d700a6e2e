import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadResult } from '@obscost/bench';

/** The repository's root, from services/runner/dist/src. */
export const ROOT = path.resolve(import.meta.dirname, '../../../..');
export const APP_MAIN = path.join(ROOT, 'services/app/dist/src/main.js');
export const BENCH_CLI = path.join(ROOT, 'services/bench/dist/src/cli.js');
export const RUNNER_MAIN = path.join(ROOT, 'services/runner/dist/src/main.js');
export const OBSERVER_MAIN = path.join(ROOT, 'services/observer/dist/src/main.js');
export const AGGREGATOR_MAIN = path.join(ROOT, 'services/aggregator/dist/src/main.js');
export const REPLAY_MAIN = path.join(ROOT, 'services/aggregator/dist/src/replay.js');

/** Polls `condition` until it holds; fails naming what it waited for after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Service {
  process: ChildProcess;
  /** Everything the process printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startService(command: string, args: string[], env: NodeJS.ProcessEnv): Service {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return {
    process: child,
    output: () => output,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface Listening extends Service {
  /** The URL the service printed when it started listening. */
  url: string;
}

/** Starts a Node service and waits until it prints the URL it listens on. */
async function startListening(
  what: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  printed: RegExp,
): Promise<Listening> {
  const service = startService(process.execPath, args, env);
  let url: string | undefined;
  try {
    await waitFor(`the ${what} to listen`, () => {
      url = printed.exec(service.output())?.[1];
      if (url === undefined && service.process.exitCode !== null) {
        throw new Error(
          `the ${what} exited with code ${service.process.exitCode}: ${service.output().trim()}`,
        );
      }
      return url !== undefined;
    });
  } catch (err) {
    await service.stop();
    throw err;
  }
  return { ...service, url: url ?? '' };
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
export function startObserver(args: string[]): Promise<RunningObserver> {
  return startListening(
    'observer',
    [OBSERVER_MAIN, '--port', '0', ...args],
    {},
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

/** Runs the bench CLI with `args` and `-json` in a process of its own; resolves with its result. */
export async function benchJson(args: string[]): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [BENCH_CLI, ...args, '-json']);
  return JSON.parse(stdout) as LoadResult;
}
