import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { alive, startDetached, stopPid } from '@obscost/process';
import { InfraError } from './errors.js';

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
    let pid: number;
    try {
      pid = startDetached(command, args, {
        env: { ...env, OBSCOST_LOG: this.logFile },
        logFile: this.logFile,
      });
    } catch (err) {
      throw new InfraError('INFRA_COMPONENT_FAILED', (err as Error).message, { cause: err });
    }
    writeFileSync(this.pidFile, `${pid}\n`);
    return pid;
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
