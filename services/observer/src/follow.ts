import type { ProcessName } from '@obscost/events';
import type { KernelSide } from './kernel.js';
import { processName, resolveTargets, type TargetSpec } from './targets.js';

/** A pid file or a command name is resolved again this often, so a restarted target is followed. */
export const FOLLOW_INTERVAL_MS = 1000;

/**
 * The processes observed: those the target named at start, then, for a pid file or a
 * command name, what it names at each re-resolve: processes that exited go out, new ones
 * come in. Each change hands the targets' names on, for the batches to carry.
 */
export class TargetFollower {
  private readonly pids = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: TargetSpec,
    private readonly kernel: Pick<KernelSide, 'addTarget' | 'removeTarget'>,
    private readonly onChange: (processes: ProcessName[]) => void,
    private readonly proc = '/proc',
  ) {}

  /** The pids observed now, in the order they came. */
  get targets(): number[] {
    return [...this.pids];
  }

  /** Observes these pids from now on (the ones resolved at start). */
  add(pids: readonly number[]): void {
    for (const pid of pids) {
      this.kernel.addTarget(pid);
      this.pids.add(pid);
    }
    this.changed();
  }

  /** Re-resolves the target every `intervalMs`; a plain --pid has nothing to follow. */
  start(intervalMs = FOLLOW_INTERVAL_MS): void {
    if ('pid' in this.spec) return;
    this.timer = setInterval(() => {
      this.follow();
    }, intervalMs).unref();
  }

  /** One re-resolve: processes that exited out, new ones in. */
  follow(): void {
    const now = new Set(resolveTargets(this.spec, this.proc));
    const gone = this.targets.filter((pid) => !now.has(pid));
    const come = [...now].filter((pid) => !this.pids.has(pid));
    for (const pid of gone) {
      this.kernel.removeTarget(pid);
      this.pids.delete(pid);
    }
    for (const pid of come) {
      this.kernel.addTarget(pid);
      this.pids.add(pid);
    }
    if (gone.length > 0 || come.length > 0) this.changed();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private changed(): void {
    this.onChange(this.targets.map((pid) => ({ pid, name: processName(pid, this.proc) })));
  }
}
