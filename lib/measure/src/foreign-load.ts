import type { CpuBusySnapshot } from './cpu-busy.js';
import type { CpuPlan } from './cpus.js';

/** The app's CPUs, or the others: where a component runs is where it was pinned. */
export type CpuSide = keyof CpuPlan;

/** What one of the run's own components spent, and on which side it was pinned. */
export interface OwnCpu {
  side: CpuSide;
  ns: number;
}

/** One side's busy time over a run, and how much of it was not the run's own. */
export interface SideLoad {
  cpus: readonly number[];
  /** The side's CPUs' busy time, from /proc/stat: clock ticks, the kernel's sampling. */
  busyNs: number;
  /** What the run's components pinned to this side spent there (exact). */
  ownNs: number;
  /** Busy less own, never below 0: what anything else ran there. */
  foreignNs: number;
  /** The interrupts' part of busy, own or foreign: see docs/measuring.md. */
  interruptNs: number;
  /** busy and foreign a second of the run, in CPUs (1: one CPU busy the whole time). */
  busyCpus: number;
  foreignCpus: number;
  /** foreign / busy, 0 when nothing ran. */
  foreignShare: number;
}

/** A run's foreign load: on the app's CPUs and on the others. */
export interface ForeignLoad {
  seconds: number;
  app: SideLoad;
  other: SideLoad;
}

function sideLoad(
  before: CpuBusySnapshot,
  after: CpuBusySnapshot,
  cpus: readonly number[],
  ownNs: number,
): SideLoad {
  let busyNs = 0;
  let interruptNs = 0;
  for (const cpu of cpus) {
    const start = before.cpus.get(cpu);
    const end = after.cpus.get(cpu);
    if (start === undefined || end === undefined) {
      throw new RangeError(`CPU ${cpu} is not in both /proc/stat snapshots`);
    }
    busyNs += end.busyNs - start.busyNs;
    interruptNs += end.interruptNs - start.interruptNs;
  }
  const wallNs = after.atNs - before.atNs;
  const foreignNs = Math.max(0, busyNs - ownNs);
  return {
    cpus: [...cpus],
    busyNs,
    ownNs,
    foreignNs,
    interruptNs,
    busyCpus: busyNs / wallNs,
    foreignCpus: foreignNs / wallNs,
    foreignShare: busyNs === 0 ? 0 : foreignNs / busyNs,
  };
}

/**
 * The busy time of the app's CPUs and of the others between two snapshots, and the part of
 * it the run's own components (`own`, each on the side it was pinned to) did not spend:
 * the foreign load. Unpinned, pass every CPU as `other` and every component there.
 */
export function foreignLoad(
  before: CpuBusySnapshot,
  after: CpuBusySnapshot,
  sides: CpuPlan,
  own: readonly OwnCpu[],
): ForeignLoad {
  if (after.atNs <= before.atNs) throw new RangeError('the second snapshot is not later');
  const shared = sides.app.filter((cpu) => sides.other.includes(cpu));
  if (shared.length > 0) throw new RangeError(`CPU ${shared.join(', ')} is on both sides`);
  const ownOn = (side: CpuSide): number =>
    own.filter((component) => component.side === side).reduce((sum, c) => sum + c.ns, 0);
  return {
    seconds: (after.atNs - before.atNs) / 1e9,
    app: sideLoad(before, after, sides.app, ownOn('app')),
    other: sideLoad(before, after, sides.other, ownOn('other')),
  };
}
