import { readdirSync, readFileSync } from 'node:fs';

/** What the project reads of a process's /proc/PID/stat. */
export interface ProcStat {
  /** The command name (comm), at most 15 characters; it may hold spaces and parentheses. */
  command: string;
  /** R, S, D, Z (a zombie: exited, waiting to be reaped), T, ... */
  state: string;
  /** The parent's pid: a process whose parent exited has been handed to a reaper. */
  parentPid: number;
  processGroup: number;
  /** CPU time in clock ticks (CLK_TCK a second), all threads, user and system. */
  userTicks: number;
  systemTicks: number;
  /** When it started, in clock ticks since boot: with the pid, it names one process. */
  startTicks: number;
}

/**
 * `pid`'s /proc/PID/stat, or undefined once it is gone. The command name stands between the
 * first `(` and the last `)`, since it may hold both; the fields after it are counted from
 * field 3, the state. `proc` is another /proc for tests.
 */
export function readProcStat(pid: number, proc = '/proc'): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, close),
    state: fields[0] ?? '',
    parentPid: Number(fields[1]),
    processGroup: Number(fields[2]),
    userTicks: Number(fields[11]),
    systemTicks: Number(fields[12]),
    startTicks: Number(fields[19]),
  };
}

/**
 * Whether `pid` is a live process: it exists and is not a zombie. A zombie has exited; its
 * entry waits for its parent (PID 1 for an orphan, in its own time) to reap it. A process
 * whose main thread exited before its others (a JVM shutting down) shows Z too while they
 * run, and keeps its sockets: it is alive until its last thread ends.
 */
export function alive(pid: number, proc = '/proc'): boolean {
  const state = readProcStat(pid, proc)?.state;
  if (state === undefined) return false;
  return state !== 'Z' || threadRuns(pid, proc);
}

function threadRuns(pid: number, proc: string): boolean {
  const tasks = `${proc}/${pid}/task`;
  let threads: string[];
  try {
    threads = readdirSync(tasks);
  } catch {
    return false;
  }
  return threads.some((thread) => {
    const state = readProcStat(Number(thread), tasks)?.state;
    return state !== undefined && state !== 'Z';
  });
}
