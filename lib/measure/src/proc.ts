import { readdirSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { readProcStat } from '@obscost/process';

/** A process's CPU time, user and system, in seconds. */
export interface CpuSeconds {
  user: number;
  system: number;
}

/** The auxiliary vector's entry that holds CLK_TCK. */
const AT_CLKTCK = 17n;

/**
 * Clock ticks per second of /proc's CPU times (USER_HZ), as the kernel handed it to this
 * process: what `getconf CLK_TCK` prints, read where glibc's sysconf reads it, in
 * /proc/self/auxv (pairs of 64-bit words on the 64-bit kernels this runs on), with no process
 * to start.
 */
function clockTicksPerSecond(): number {
  const auxv = readFileSync('/proc/self/auxv');
  const word = (at: number): bigint =>
    endianness() === 'LE' ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at);
  for (let at = 0; at + 16 <= auxv.length; at += 16) {
    if (word(at) === AT_CLKTCK) return Number(word(at + 8));
  }
  throw new Error('/proc/self/auxv holds no AT_CLKTCK');
}

const TICKS_PER_SECOND = clockTicksPerSecond();

/** Clock ticks of /proc's CPU times (CLK_TCK) in nanoseconds. */
export function ticksToNs(ticks: number): number {
  return (ticks * 1e9) / TICKS_PER_SECOND;
}

/**
 * A process's CPU time so far, all of its threads, from /proc/PID/stat. Time the kernel
 * spends in a BPF program run from the process's syscall or uprobe is system time of that
 * process.
 */
export function cpuSeconds(pid: number): CpuSeconds {
  const stat = readProcStat(pid);
  if (stat === undefined) throw new Error(`no process ${pid} in /proc`);
  return {
    user: stat.userTicks / TICKS_PER_SECOND,
    system: stat.systemTicks / TICKS_PER_SECOND,
  };
}

export function cpuSince(start: CpuSeconds, end: CpuSeconds): CpuSeconds {
  return { user: end.user - start.user, system: end.system - start.system };
}

/** A number of /proc/PID/status (`VmRSS:  1234 kB`), its unit left off. */
function statusNumber(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status);
  if (match === null) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

/** A memory figure of /proc/PID/status (VmRSS, VmHWM, ...), in bytes. */
function statusBytes(pid: number, field: string): number {
  return statusNumber(pid, field) * 1024;
}

/** The memory the process has resident now (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  return statusBytes(pid, 'VmRSS');
}

/** The most resident memory the process ever had (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  return statusBytes(pid, 'VmHWM');
}

/** How many file descriptors the process has open now. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
