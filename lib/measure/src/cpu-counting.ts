import type { ComponentCpu } from './cgroup-readings.js';

/** Where a component meter counts: a cgroup v1 cpuacct group, a cgroup v2 group, or /proc. */
export type CpuMeterSource = 'cgroup1-cpuacct' | 'cgroup2' | 'schedstat';

/** What each source does for the component meter, which checks names and keeps the list. */
export interface CpuCounting {
  /** The path of the run's parent group, where the source makes groups. */
  readonly runGroup?: string;
  /** Counts `pid` and its descendants as `component` from now on; the component may be new. */
  add(component: string, pid: number): void;
  /**
   * The CPU time each of `components`' processes have spent since they were added, by
   * component, all read at one moment.
   */
  readAll(components: readonly string[]): Record<string, ComponentCpu>;
  /** Stops counting; leaves nothing behind. */
  close(): void;
}
