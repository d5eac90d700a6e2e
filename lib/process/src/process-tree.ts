import { readdirSync } from 'node:fs';
import { readProcStat, type ProcStat } from './proc-stat.js';

/** The processes of /proc at one moment, read once: each tree of a mark is built from it. */
export interface ProcessTable {
  /** Each process's /proc/PID/stat, by pid (zombies too). */
  readonly stats: ReadonlyMap<number, ProcStat>;
  /**
   * `pid` and every process descended from it, parents before children. This kernel has no
   * /proc/PID/task/TID/children, so the tree comes from each process's parent: a process
   * whose parent exited was handed to a reaper and is no longer found under it.
   */
  tree(pid: number): number[];
}

/** Every process in `proc` (another /proc for tests), each stat file read once. */
export function readProcessTable(proc = '/proc'): ProcessTable {
  const stats = new Map<number, ProcStat>();
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readProcStat(pid, proc);
    if (stat === undefined) continue; // gone meanwhile
    stats.set(pid, stat);
    const siblings = childrenOf.get(stat.parentPid);
    if (siblings === undefined) childrenOf.set(stat.parentPid, [pid]);
    else siblings.push(pid);
  }
  return {
    stats,
    tree(pid) {
      const tree = [pid];
      for (let at = 0; at < tree.length; at++) {
        tree.push(...(childrenOf.get(tree[at] ?? 0) ?? []));
      }
      return tree;
    },
  };
}

/** `pid` and every live process descended from it, from /proc now (`ProcessTable.tree`). */
export function processTree(pid: number): number[] {
  return readProcessTable().tree(pid);
}
