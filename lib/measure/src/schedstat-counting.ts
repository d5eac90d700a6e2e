import type { ComponentCpu } from './cgroup-readings.js';
import type { CpuCounting } from './cpu-counting.js';
import { ticksToNs } from './proc.js';
import { readProcessTable, type ProcessTable } from '@obscost/process';
import { processCpuNs } from './schedstat.js';

/** A process tree's CPU time as of `table`, or undefined once its first process is gone. */
function treeCpu(pid: number, table: ProcessTable): ComponentCpu | undefined {
  if (!table.stats.has(pid)) return undefined;
  const total: ComponentCpu = { totalNs: 0, userNs: 0, systemNs: 0 };
  for (const member of table.tree(pid)) {
    const stat = table.stats.get(member);
    let ns: number;
    try {
      ns = processCpuNs(member);
    } catch {
      continue; // exited meanwhile
    }
    total.totalNs += ns;
    total.userNs += ticksToNs(stat?.userTicks ?? 0);
    total.systemNs += ticksToNs(stat?.systemTicks ?? 0);
  }
  return total;
}

function minus(a: ComponentCpu, b: ComponentCpu): ComponentCpu {
  return {
    totalNs: a.totalNs - b.totalNs,
    userNs: a.userNs - b.userNs,
    systemNs: a.systemNs - b.systemNs,
  };
}

/** A process added to a component: its tree's time when added, and when last read. */
interface CountedTree {
  pid: number;
  atAdd: ComponentCpu;
  lastRead: ComponentCpu;
}

/**
 * Components counted without groups, where this process may make none: the sum of
 * /proc/PID/task/TID/schedstat over each added process's tree, less what it had when added.
 * Threads and processes that exit take their time with them; a tree whose first process is
 * gone keeps what it had at the last reading. A reading may therefore go down, and is a
 * lower bound.
 */
export class SchedstatCounting implements CpuCounting {
  private readonly trees = new Map<string, CountedTree[]>();

  add(component: string, pid: number): void {
    const atAdd = treeCpu(pid, readProcessTable());
    if (atAdd === undefined) throw new Error(`no process ${pid} to count as ${component}`);
    const trees = this.trees.get(component) ?? [];
    trees.push({ pid, atAdd, lastRead: atAdd });
    this.trees.set(component, trees);
  }

  /** Every component's trees from one reading of /proc's process table. */
  readAll(components: readonly string[]): Record<string, ComponentCpu> {
    const table = readProcessTable();
    return Object.fromEntries(
      components.map((component) => [component, this.read(component, table)]),
    );
  }

  private read(component: string, table: ProcessTable): ComponentCpu {
    const sum: ComponentCpu = { totalNs: 0, userNs: 0, systemNs: 0 };
    for (const tree of this.trees.get(component) ?? []) {
      tree.lastRead = treeCpu(tree.pid, table) ?? tree.lastRead;
      const since = minus(tree.lastRead, tree.atAdd);
      sum.totalNs += since.totalNs;
      sum.userNs += since.userNs;
      sum.systemNs += since.systemNs;
    }
    return sum;
  }

  close(): void {
    this.trees.clear();
  }
}
