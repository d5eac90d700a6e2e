import { CgroupCounting } from './cgroup-counting.js';
import { cgroupMounts } from './cgroup-mounts.js';
import type { ComponentCpu } from './cgroup-readings.js';
import type { CpuCounting, CpuMeterSource } from './cpu-counting.js';
import { SchedstatCounting } from './schedstat-counting.js';

/**
 * The CPU time of each component of a run (`app`, `bench`, `observer`, ...), in
 * nanoseconds, each counted from the moment its process was added.
 */
export interface ComponentCpuMeter {
  /** Where it counts: the first of cgroup1-cpuacct, cgroup2, schedstat this machine allows. */
  readonly source: CpuMeterSource;
  /** The run's parent group's path, `.../obscost-<pid>-<n>`; undefined when counting from /proc. */
  readonly runGroup: string | undefined;
  /**
   * Counts `pid` as `component` from now on, with the processes it has started and will
   * start, and its threads (those that exit stay counted, except from /proc). Call it right
   * after the process starts. A component may hold several processes.
   */
  add(component: string, pid: number): void;
  /** The component's CPU time so far. */
  read(component: string): ComponentCpu;
  /** Every component's CPU time so far, by name, read at one moment (/proc read once). */
  readAll(): Record<string, ComponentCpu>;
  /**
   * Stops counting and removes the groups, moving what still runs in them back to the root
   * group first. The processes themselves are not touched. Closing again does nothing.
   */
  close(): void;
}

export interface ComponentCpuMeterOptions {
  /** Count there, or fail; by default the first source this machine allows. */
  readonly source?: CpuMeterSource;
}

/** A component becomes a directory name: lower-case words joined by dashes. */
const COMPONENT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The counting of `source`; throws if this machine does not have it or refuses groups. */
function countingOf(source: CpuMeterSource): CpuCounting {
  if (source === 'schedstat') return new SchedstatCounting();
  const mounts = cgroupMounts();
  const root = source === 'cgroup1-cpuacct' ? mounts.cpuacct : mounts.unified;
  if (root === undefined) throw new Error(`this machine mounts no ${source} hierarchy`);
  return new CgroupCounting(root, source === 'cgroup1-cpuacct' ? 1 : 2);
}

/**
 * The first source this machine allows: cgroup v1 cpuacct where mounted, cgroup v2 where
 * that is the hierarchy, and /proc where this process may make no group (not root, or
 * inside a container whose cgroups are read-only).
 */
function firstCounting(): { source: CpuMeterSource; counting: CpuCounting } {
  for (const source of ['cgroup1-cpuacct', 'cgroup2'] as const) {
    try {
      return { source, counting: countingOf(source) };
    } catch {
      // Not mounted, or not ours to change: the next source.
    }
  }
  return { source: 'schedstat', counting: new SchedstatCounting() };
}

/** Opens a meter for one run; `close` it when the run ends, whatever happened. */
export function openComponentCpuMeter(options: ComponentCpuMeterOptions = {}): ComponentCpuMeter {
  const { source, counting } =
    options.source === undefined
      ? firstCounting()
      : { source: options.source, counting: countingOf(options.source) };
  const components = new Set<string>();
  let closed = false;
  const known = (component: string): string => {
    if (!components.has(component)) throw new Error(`no process was added as ${component}`);
    return component;
  };
  return {
    source,
    runGroup: counting.runGroup,
    add(component, pid) {
      if (!COMPONENT_NAME.test(component)) {
        throw new RangeError(`${JSON.stringify(component)} is not a component name (a-z, 0-9, -)`);
      }
      counting.add(component, pid);
      components.add(component);
    },
    read(component) {
      const reading = counting.readAll([known(component)])[component];
      if (reading === undefined) throw new Error(`no reading of ${component}`);
      return reading;
    },
    readAll: () => counting.readAll([...components]),
    close() {
      if (closed) return;
      closed = true;
      components.clear();
      counting.close();
    },
  };
}
