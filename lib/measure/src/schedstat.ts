import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from '@obscost/process';

/**
 * The time a thread has run on a CPU, in nanoseconds: the first of /proc/PID/task/TID/schedstat's
 * three fields (run time, time waiting for a CPU, timeslices).
 */
export function parseSchedstatRunNs(text: string): number {
  const match = /^(\d+) \d+ \d+\s*$/.exec(text);
  if (match === null) throw new Error(`not a schedstat line: ${JSON.stringify(text)}`);
  return Number(match[1]);
}

/** The run time of `pid`'s live threads, or undefined once the process is gone. */
function liveThreadsNs(pid: number): number | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ns = 0;
  for (const thread of threads) {
    try {
      ns += parseSchedstatRunNs(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'latin1'));
    } catch (err) {
      // A thread that exits between the listing and the read takes its time with it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return ns;
}

/**
 * A process's CPU time in nanoseconds: the run time of each of its live threads, from
 * /proc/PID/task/TID/schedstat. A thread that has exited is no longer listed, and its time
 * is not in the sum: measure a process whose threads live as long as the measure, or put it
 * in a group of the component CPU meter, which keeps them.
 */
export function processCpuNs(pid: number): number {
  const ns = liveThreadsNs(pid);
  if (ns === undefined) throw new Error(`no process ${pid} in /proc`);
  return ns;
}

/**
 * The CPU time of `pid` and of every live process descended from it, in nanoseconds, as
 * `processCpuNs` counts it: processes and threads that have exited are not in the sum.
 */
export function processTreeCpuNs(pid: number): number {
  if (liveThreadsNs(pid) === undefined) throw new Error(`no process ${pid} in /proc`);
  return processTree(pid).reduce((sum, member) => sum + (liveThreadsNs(member) ?? 0), 0);
}
