import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository's root, from services/runner/dist/src. */
export const ROOT = path.resolve(import.meta.dirname, '../../../..');
export const APP_MAIN = path.join(ROOT, 'services/app/dist/src/main.js');
export const BENCH_CLI = path.join(ROOT, 'services/bench/dist/src/cli.js');
export const RUNNER_MAIN = path.join(ROOT, 'services/runner/dist/src/main.js');

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

export interface RunningApp extends Service {
  /** Base URL the app listens on, e.g. http://127.0.0.1:40123. */
  url: string;
}

/** Starts the real app (PORT=0 unless given: a free port) and waits until it listens. */
export async function startApp(env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  const service = startService(process.execPath, [APP_MAIN], { PORT: '0', ...env });
  let url: string | undefined;
  try {
    await waitFor('the app to listen', () => {
      url = /app listening on (http:\/\/\S+)/.exec(service.output())?.[1];
      if (url === undefined && service.process.exitCode !== null) {
        throw new Error(
          `the app exited with code ${service.process.exitCode}: ${service.output().trim()}`,
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
