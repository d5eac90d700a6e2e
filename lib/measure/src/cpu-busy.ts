import { readFileSync } from 'node:fs';
import { ticksToNs } from './proc.js';

/** One CPU's time since boot, from its /proc/stat line, in nanoseconds (from clock ticks). */
export interface CpuBusy {
  /** user + nice + system + irq + softirq + steal: everything but idle and iowait. */
  busyNs: number;
  /** irq + softirq: the part of busy spent in interrupts. */
  interruptNs: number;
}

/** Every CPU's busy time at one moment, and that moment. */
export interface CpuBusySnapshot {
  /** process.hrtime in nanoseconds: only differences between snapshots mean anything. */
  atNs: number;
  cpus: ReadonlyMap<number, CpuBusy>;
}

/**
 * The per-CPU lines of a /proc/stat text: `cpuN user nice system idle iowait irq softirq
 * steal guest guest_nice`, in clock ticks. Guest time is already inside user and nice.
 * The `cpu` line, the sum, is left out.
 */
export function parseCpuLines(text: string): Map<number, CpuBusy> {
  const cpus = new Map<number, CpuBusy>();
  for (const line of text.split('\n')) {
    const match = /^cpu(\d+)((?: \d+){8,})$/.exec(line);
    if (match === null) continue;
    const [user, nice, system, , , irq, softirq, steal] = (match[2] ?? '')
      .trim()
      .split(' ')
      .map(Number) as [number, number, number, number, number, number, number, number];
    cpus.set(Number(match[1]), {
      busyNs: ticksToNs(user + nice + system + irq + softirq + steal),
      interruptNs: ticksToNs(irq + softirq),
    });
  }
  if (cpus.size === 0) throw new Error('/proc/stat has no cpuN line');
  return cpus;
}

/** Every CPU's busy time now. */
export function cpuBusySnapshot(): CpuBusySnapshot {
  return {
    atNs: Number(process.hrtime.bigint()),
    cpus: parseCpuLines(readFileSync('/proc/stat', 'latin1')),
  };
}
