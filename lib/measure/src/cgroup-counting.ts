import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGroup,
  moveIntoGroup,
  newRunGroupName,
  removeGroup,
  removeStaleRunGroups,
} from './cgroup-groups.js';
import { parseCpuacct, parseCpuStat, type ComponentCpu } from './cgroup-readings.js';
import type { CpuCounting } from './cpu-counting.js';
import { processTree } from '@obscost/process';

/**
 * Components counted as cgroups: one group per component under the run's parent group in
 * the hierarchy mounted at `root`. The kernel charges a group every nanosecond its tasks
 * run, and keeps the time of tasks that have exited.
 */
export class CgroupCounting implements CpuCounting {
  readonly runGroup: string;
  private readonly components = new Set<string>();

  /** Throws when this process may not make groups there (not root, read-only, ...). */
  constructor(
    private readonly root: string,
    private readonly version: 1 | 2,
  ) {
    removeStaleRunGroups(root);
    this.runGroup = join(root, newRunGroupName());
    createGroup(this.runGroup);
  }

  /**
   * Moves `pid` and the processes it has already started into the component's group; those
   * started later are born in it.
   */
  add(component: string, pid: number): void {
    const group = join(this.runGroup, component);
    createGroup(group);
    this.components.add(component);
    const [leader, ...descendants] = processTree(pid);
    if (leader === undefined || !moveIntoGroup(group, leader)) {
      throw new Error(`no process ${pid} to count as ${component}`);
    }
    for (const descendant of descendants) moveIntoGroup(group, descendant);
  }

  readAll(components: readonly string[]): Record<string, ComponentCpu> {
    return Object.fromEntries(components.map((component) => [component, this.read(component)]));
  }

  private read(component: string): ComponentCpu {
    const group = join(this.runGroup, component);
    const text = (file: string): string => readFileSync(join(group, file), 'utf8');
    return this.version === 1
      ? parseCpuacct(text('cpuacct.usage'), text('cpuacct.stat'))
      : parseCpuStat(text('cpu.stat'));
  }

  close(): void {
    for (const component of this.components) {
      removeGroup(join(this.runGroup, component), this.root);
    }
    this.components.clear();
    removeGroup(this.runGroup, this.root);
  }
}
