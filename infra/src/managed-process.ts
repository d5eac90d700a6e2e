import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/**
 * A long-running infrastructure process, started detached so it outlives the command
 * that started it, with its output in `<dir>/<name>.log` and its pid in `<dir>/<name>.pid`.
 */
export class ManagedProcess {
  readonly logFile: string;
  private readonly pidFile: string;

  constructor(
    readonly name: string,
    readonly dir: string,
  ) {
    this.logFile = path.join(dir, `${name}.log`);
    this.pidFile = path.join(dir, `${name}.pid`);
  }

  /** The pid of the running process, if the pid file names a live process of ours. */
  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
    } catch {
      return undefined;
    }
    // A recycled pid belongs to another program: ours carry their log path in the environment.
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      return environ.includes(`OBSCOST_LOG=${this.logFile}\0`) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
    mkdirSync(this.dir, { recursive: true });
    const log = openSync(this.logFile, 'a');
    try {
      const child = spawn(command, args, {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, ...env, OBSCOST_LOG: this.logFile },
      });
      if (child.pid === undefined) throw new Error(`${this.name}: cannot start ${command}`);
      child.unref();
      writeFileSync(this.pidFile, `${child.pid}\n`);
      return child.pid;
    } finally {
      closeSync(log);
    }
  }

  /** SIGTERM to the process group; SIGKILL after `graceMs`. Resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    const pid = this.pid();
    if (pid !== undefined) {
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (alive(pid) && Date.now() < deadline) await sleep(50);
      if (alive(pid)) {
        signalGroup(pid, 'SIGKILL');
        while (alive(pid)) await sleep(20);
      }
    }
    rmSync(this.pidFile, { force: true });
  }

  /** The last `lines` lines of the process's output. */
  tail(lines: number): string {
    if (!existsSync(this.logFile)) return `(no log at ${this.logFile})`;
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Whether the process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** Polls `check` until it is true; false if `timeoutMs` passes first. */
export async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}
