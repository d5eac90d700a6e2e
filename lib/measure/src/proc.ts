import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process's CPU time, user and system, in seconds. */
export interface CpuSeconds {
  user: number;
  system: number;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every common kernel). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * A process's CPU time so far, all of its threads, from /proc/PID/stat: utime and stime are
 * fields 14 and 15, counted after the command name, which is in parentheses and may hold
 * spaces. Time the kernel spends in a BPF program run from the process's syscall or uprobe is
 * system time of that process.
 */
export function cpuSeconds(pid: number): CpuSeconds {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return {
    user: Number(fields[11]) / TICKS_PER_SECOND,
    system: Number(fields[12]) / TICKS_PER_SECOND,
  };
}

export function cpuSince(start: CpuSeconds, end: CpuSeconds): CpuSeconds {
  return { user: end.user - start.user, system: end.system - start.system };
}

/** The most resident memory the process ever had (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`/proc/${pid}/status has no VmHWM`);
  return Number(match[1]) * 1024;
}
