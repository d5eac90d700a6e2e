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
import path from 'node:path';
import { alive, stopPid } from '@obscost/process';
import { InfraError } from './errors.js';

/**
 * A long-running infrastructure process, started detached so it outlives the command
 * that started it, with its output in `<dir>/<name>.log` and its pid in `<dir>/<name>.pid`.
 * `@obscost/process` starts children that end with their parent; these must not, which is
 * why this file spawns on its own.
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
    if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
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
      if (child.pid === undefined) {
        // The spawn error comes as an event too; unheard, it would end this process.
        child.once('error', () => undefined);
        throw new InfraError('INFRA_COMPONENT_FAILED', `cannot start ${command}`);
      }
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
    if (pid !== undefined) await stopPid(pid, graceMs, true);
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
