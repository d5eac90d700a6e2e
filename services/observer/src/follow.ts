import { codedCause, type CodedError } from '@obscost/errors';
import type { ProcessName } from '@obscost/events';
import { alive } from '@obscost/process';
import { ObserverError } from './errors.js';
import type { KernelSide } from './kernel.js';
import {
  describeTarget,
  processName,
  processUid,
  resolveTargets,
  startTime,
  type TargetSpec,
} from './targets.js';

/** A pid file or a command name is resolved again this often, so a restarted target is followed. */
export const FOLLOW_INTERVAL_MS = 1000;

/**
 * Why a process the target names is not followed: it exited before it could be attached, it
 * belongs to another user than --uid, the targets map was full, or the attach failed for
 * another reason (the error says which).
 */
export type RefusalReason = 'exited' | 'other_uid' | 'targets_full' | 'attach_failed';

export interface FollowerOptions {
  readonly proc?: string;
  /** --uid: only this user's processes are followed, and pid files may be theirs. */
  readonly uid?: number | undefined;
  /** Where the first refusal of each reason, and a pid file refused, are told. */
  readonly log?: (line: string) => void;
}

/**
 * The processes observed: those the target named at start, then, for a pid file or a
 * command name, what it names at each re-resolve: processes that exited go out, new ones
 * come in. Each change hands the targets' names on, for the batches to carry.
 *
 * A process that cannot be followed does not stop the others: it is counted once by reason,
 * the first of each reason is logged, and it is tried again at each re-resolve (a full map
 * has room again once a target exits).
 */
export class TargetFollower {
  private readonly pids = new Set<number>();
  /** Pids the target names that are not followed, and why. */
  private readonly refused = new Map<number, RefusalReason>();
  private readonly refusalCounts: Record<RefusalReason, number> = {
    exited: 0,
    other_uid: 0,
    targets_full: 0,
    attach_failed: 0,
  };
  /** Each followed pid's start time: the same pid with another is another process. */
  private readonly startTimes = new Map<number, number | undefined>();
  /** What was told once already: a refusal's reason, a pid file's problem. */
  private readonly told = new Set<string>();
  private readonly proc: string;
  private readonly uid: number | undefined;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: TargetSpec,
    private readonly kernel: Pick<KernelSide, 'addTarget' | 'removeTarget'>,
    private readonly onChange: (processes: ProcessName[]) => void,
    { proc = '/proc', uid, log = () => undefined }: FollowerOptions = {},
  ) {
    this.proc = proc;
    this.uid = uid;
    this.log = log;
  }

  /** The pids observed now, in the order they came. */
  get targets(): number[] {
    return [...this.pids];
  }

  /** Processes that could not be followed, each counted once by the reason it was first refused. */
  get refusals(): Readonly<Record<RefusalReason, number>> {
    return this.refusalCounts;
  }

  /**
   * Observes these pids from now on (the ones resolved at start). Throws when not one of them
   * could be followed: an observer with nothing to observe has nothing to do.
   */
  add(pids: readonly number[]): void {
    let first: CodedError | undefined;
    for (const pid of pids) {
      const refusal = this.tryAdd(pid);
      first ??= refusal;
    }
    if (this.pids.size === 0 && first !== undefined) {
      if (pids.every((pid) => this.refused.get(pid) === 'exited')) {
        throw new ObserverError(
          'OBS_TARGET_NOT_FOUND',
          `${describeTarget(this.spec)} exited before it could be followed`,
          { cause: first },
        );
      }
      throw first;
    }
    this.changed();
  }

  /**
   * Re-resolves the target every `intervalMs`. An error that is not a refusal (a bug, /proc
   * unreadable) goes to `onError`: following stops.
   */
  start(onError: (err: unknown) => void, intervalMs = FOLLOW_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      // Stopped from within a run: a cleared interval can still fire once more (mocked timers do).
      if (this.timer === undefined) return;
      try {
        this.follow();
      } catch (err) {
        this.stop();
        onError(err);
      }
    }, intervalMs).unref();
  }

  /**
   * One re-resolve: processes that exited out, new ones in. A followed pid that now names
   * another process (its start time changed) is out too, and with --pidfile or --comm comes
   * back in as the new process if it matches; a --pid names one process, never its successor.
   * A --tree's children come in as they are found (the kernel follows them from their fork,
   * this adds their uprobes and their names).
   */
  follow(): void {
    const now = new Set(this.resolve());
    const gone = this.targets.filter(
      (pid) => !now.has(pid) || startTime(pid, this.proc) !== this.startTimes.get(pid),
    );
    for (const pid of this.refused.keys()) if (!now.has(pid)) this.refused.delete(pid);
    for (const pid of gone) {
      this.kernel.removeTarget(pid);
      this.pids.delete(pid);
      this.startTimes.delete(pid);
    }
    const come = 'pid' in this.spec ? [] : [...now].filter((pid) => !this.pids.has(pid));
    const before = this.pids.size;
    for (const pid of come) this.tryAdd(pid);
    if (gone.length > 0 || this.pids.size > before) this.changed();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The pids the target names now; a pid file refused (OBS_PIDFILE) names none, told once. */
  private resolve(): number[] {
    try {
      return resolveTargets(this.spec, this.proc, this.uid);
    } catch (err) {
      const coded = codedCause(err);
      if (coded?.code !== 'OBS_PIDFILE') throw err;
      this.tellOnce(coded.message, `observer: ${coded.message}: following no process through it`);
      return [];
    }
  }

  /** Adds `pid`, or counts and returns why it was refused; an error of no catalogue is thrown. */
  private tryAdd(pid: number): CodedError | undefined {
    const started = startTime(pid, this.proc);
    try {
      const owner = processUid(pid, this.proc);
      if (this.uid !== undefined && owner !== undefined && owner !== this.uid) {
        throw new ObserverError(
          'OBS_TARGET_OTHER_UID',
          `pid ${pid} belongs to uid ${owner}, not --uid ${this.uid}`,
        );
      }
      this.kernel.addTarget(pid);
    } catch (err) {
      const coded = codedCause(err);
      if (coded === undefined) throw err;
      this.refuse(pid, refusalReason(coded.code, alive(pid, this.proc)), coded.message);
      return coded;
    }
    this.refused.delete(pid);
    this.pids.add(pid);
    this.startTimes.set(pid, started);
    return undefined;
  }

  private refuse(pid: number, reason: RefusalReason, message: string): void {
    if (this.refused.get(pid) === reason) return;
    this.refused.set(pid, reason);
    this.refusalCounts[reason] += 1;
    this.tellOnce(
      reason,
      `observer: not following pid ${pid} (${processName(pid, this.proc)}): ${message}; ` +
        `counted in observer_targets_refused_total{reason="${reason}"}, not logged again`,
    );
  }

  private tellOnce(key: string, line: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.log(line);
  }

  private changed(): void {
    this.onChange(this.targets.map((pid) => ({ pid, name: processName(pid, this.proc) })));
  }
}

function refusalReason(code: string, stillAlive: boolean): RefusalReason {
  if (!stillAlive) return 'exited';
  if (code === 'OBS_TARGET_OTHER_UID') return 'other_uid';
  if (code === 'OBS_TARGETS_FULL') return 'targets_full';
  return 'attach_failed';
}
