import { readdirSync } from 'node:fs';
import { parentPid } from './proc.js';

/**
 * `pid` and every live process descended from it, parents before children. This kernel has
 * no /proc/PID/task/TID/children, so each process's parent is read from /proc: a process
 * whose parent exited was handed to a reaper and is no longer found here.
 */
export function processTree(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    const parent = parentPid(child);
    if (parent === undefined) continue; // gone meanwhile
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), child]);
  }
  const tree = [pid];
  for (let at = 0; at < tree.length; at++) {
    tree.push(...(childrenOf.get(tree[at] ?? 0) ?? []));
  }
  return tree;
}
