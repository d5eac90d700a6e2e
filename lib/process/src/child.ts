import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { alive, readProcStat } from './proc-stat.js';
import { listening, sleep, waitFor } from './wait-for.js';

export interface ChildOptions {
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Starts the child as the leader of a process group of its own, and signals the whole
   * group on stop: a shell script or npm leaves no grandchild behind.
   */
  readonly group?: boolean;
  /** `pipe` to write to the child's stdin; ignored by default. */
  readonly stdin?: 'pipe' | 'ignore';
}

/** A child process with its output kept: stdout and stderr each, and both interleaved. */
export class Child {
  readonly process: ChildProcess;
  /** Resolves with the exit code, or null when a signal ended the child. */
  readonly exited: Promise<number | null>;
  /** Resolves once the child exited and its output streams closed: all output is in. */
  readonly closed: Promise<number | null>;
  private stdoutText = '';
  private stderrText = '';
  private allText = '';

  constructor(
    readonly command: string,
    args: readonly string[],
    private readonly options: ChildOptions = {},
  ) {
    this.process = spawn(command, args, {
      env: { ...process.env, ...options.env },
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
      detached: options.group === true,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.process.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString();
      this.allText += chunk.toString();
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString();
      this.allText += chunk.toString();
    });
    const failed = new Promise<null>((resolve) => {
      this.process.once('error', (err) => {
        this.allText += `${err.message}\n`;
        this.stderrText += `${err.message}\n`;
        resolve(null);
      });
    });
    this.exited = Promise.race([
      failed,
      new Promise<number | null>((resolve) => this.process.once('exit', resolve)),
    ]);
    this.closed = Promise.race([
      failed,
      new Promise<number | null>((resolve) => this.process.once('close', resolve)),
    ]);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Still running: not exited, not killed. */
  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Everything printed so far, stdout and stderr as they came. */
  output(): string {
    return this.allText;
  }

  stdout(): string {
    return this.stdoutText;
  }

  stderr(): string {
    return this.stderrText;
  }

  /**
   * Waits until the output matches `pattern` and returns the match; fails at once, with
   * the output, when the child exits first, and after `timeoutMs` naming `what`.
   */
  async waitForOutput(pattern: RegExp, what: string, timeoutMs = 15_000): Promise<RegExpExecArray> {
    let match: RegExpExecArray | null = null;
    await waitFor(
      what,
      () => {
        match = pattern.exec(this.allText);
        if (match === null && !this.running) {
          throw new Error(
            `${this.command} exited with code ${this.process.exitCode ?? this.process.signalCode} ` +
              `before ${what}: ${this.allText.trim()}`,
          );
        }
        return match !== null;
      },
      timeoutMs,
    );
    return match as unknown as RegExpExecArray;
  }

  /** Waits until something listens on `port` (the child, presumably) while it runs. */
  async waitForPort(port: number, what: string, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      what,
      async () => {
        if (!this.running) throw new Error(`${this.command} exited before ${what}`);
        return listening(port);
      },
      timeoutMs,
    );
  }

  /**
   * Sends `signal` to the child, or to its whole group when started with `group` (even once
   * the leader has exited: what it started may still run).
   */
  signal(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    if (this.options.group === true) signalProcess(this.pid, signal, true);
    else if (this.running) signalProcess(this.pid, signal, false);
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`, to the group when started with `group`; resolves
   * with the exit code once the child (and every live process of its group) are gone and its
   * output is all read. A zombie of the group is gone: it has exited, only its reaping waits.
   */
  async stop(graceMs = 10_000): Promise<number | null> {
    const pid = this.pid;
    if (this.options.group === true && pid !== undefined) {
      await stopPid(pid, graceMs, true);
    } else if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => {
        this.signal('SIGKILL');
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // A grandchild outside the group could hold the pipes open: the output waits only briefly.
    await Promise.race([this.closed, sleep(2_000)]);
    return this.exited;
  }
}

/** Starts `command` with its output captured. */
export function startChild(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): Child {
  return new Child(command, args, options);
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command`, in a process group of its own, to its end. One still running after
 * `timeoutMs` (default 240 s, under the test runner's per-test timeout) is stopped with its
 * group, and the run fails naming it.
 */
export async function runToEnd(
  command: string,
  args: readonly string[],
  options: ChildOptions & { timeoutMs?: number } = {},
): Promise<Finished> {
  const timeoutMs = options.timeoutMs ?? 240_000;
  const child = startChild(command, args, { ...options, group: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, timeoutMs);
  });
  const outcome = await Promise.race([child.closed, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    await child.stop(2_000);
    throw new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms`);
  }
  return { code: outcome, stdout: child.stdout(), stderr: child.stderr() };
}

/**
 * Starts a process that outlives this one (infrastructure that `npm run infra -- up`
 * leaves running): the leader of its own process group, its output appended to
 * `logFile`, not waited for. Returns its pid; stop it with stopPid(pid, grace, true).
 */
export function startDetached(
  command: string,
  args: readonly string[],
  { env = {}, logFile }: { env?: NodeJS.ProcessEnv; logFile: string },
): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...env },
    });
    // A failed spawn is reported as an event too; unheard, it would end this process.
    child.once('error', () => undefined);
    if (child.pid === undefined) throw new Error(`cannot start ${command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops a process this one did not start (a detached one, known by its pid file): SIGTERM,
 * SIGKILL after `graceMs`, to its group when `group`; resolves once it (and every live process
 * of its group) are gone: zombies are not waited for, their reaping is up to their parent.
 */
export async function stopPid(pid: number, graceMs: number, group = false): Promise<void> {
  const running = (): boolean => alive(pid) || (group && groupAlive(pid));
  signalProcess(pid, 'SIGTERM', group);
  const deadline = Date.now() + graceMs;
  while (running() && Date.now() < deadline) await sleep(50);
  if (!running()) return;
  signalProcess(pid, 'SIGKILL', group);
  while (running()) await sleep(20);
}

/**
 * Whether a live process of the group `pgid` is left. kill(-pgid, 0) answers for a zombie
 * too: a group it finds empty is, and one it does not is looked at process by process.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    return readProcStat(Number(entry))?.processGroup === pgid && alive(Number(entry));
  });
}
