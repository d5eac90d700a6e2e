import { ticksToNs } from './proc.js';

/**
 * A component's CPU time in nanoseconds. `totalNs` is exact (the scheduler's run time);
 * the user and system split comes from clock ticks, the kernel's sampling, and is only as
 * good as those: their sum may differ from `totalNs` by some ticks. With the schedstat source
 * the split also counts threads that exited, which `totalNs` no longer sees: it may then be
 * well above `totalNs`.
 */
export interface ComponentCpu {
  totalNs: number;
  userNs: number;
  systemNs: number;
}

/** One `key value` line of a cgroup file that lists counters, by key. */
function keyedCounters(text: string, file: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^([\w.]+) (\d+)$/.exec(line);
    if (match === null) throw new Error(`not a line of ${file}: ${JSON.stringify(line)}`);
    counters.set(match[1] ?? '', Number(match[2]));
  }
  return counters;
}

function counter(counters: Map<string, number>, key: string, file: string): number {
  const value = counters.get(key);
  if (value === undefined) throw new Error(`${file} has no ${key}`);
  return value;
}

/**
 * A cgroup v1 group's CPU time: `cpuacct.usage` (nanoseconds, every task that ever ran in
 * the group) and `cpuacct.stat` (user and system in clock ticks).
 */
export function parseCpuacct(usageText: string, statText: string): ComponentCpu {
  const usage = /^(\d+)\s*$/.exec(usageText);
  if (usage === null) throw new Error(`not a cpuacct.usage: ${JSON.stringify(usageText)}`);
  const stat = keyedCounters(statText, 'cpuacct.stat');
  return {
    totalNs: Number(usage[1]),
    userNs: ticksToNs(counter(stat, 'user', 'cpuacct.stat')),
    systemNs: ticksToNs(counter(stat, 'system', 'cpuacct.stat')),
  };
}

/**
 * A cgroup v2 group's CPU time from its `cpu.stat`: `usage_usec` exact to the microsecond,
 * `user_usec` and `system_usec` the kernel's tick-based split of it.
 */
export function parseCpuStat(text: string): ComponentCpu {
  const stat = keyedCounters(text, 'cpu.stat');
  return {
    totalNs: counter(stat, 'usage_usec', 'cpu.stat') * 1000,
    userNs: counter(stat, 'user_usec', 'cpu.stat') * 1000,
    systemNs: counter(stat, 'system_usec', 'cpu.stat') * 1000,
  };
}
