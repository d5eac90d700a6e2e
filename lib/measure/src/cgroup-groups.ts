import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcStat } from '@obscost/process';

/**
 * A run's parent group is `obscost-<pid>-<start>-<n>`: the pid of the process that made it
 * and that process's start time (clock ticks since boot), which together name one process
 * even once the pid is reused. Earlier versions named it `obscost-<pid>-<n>`.
 */
const RUN_GROUP = /^obscost-(\d+)-(?:(\d+)-)?\d+$/;
let runsOpened = 0;

/** A name for a run's parent group that no other run, in this process or another, has. */
export function newRunGroupName(): string {
  runsOpened += 1;
  const start = readProcStat(process.pid)?.startTicks ?? 0;
  return `obscost-${process.pid}-${start}-${runsOpened}`;
}

/**
 * Whether the run whose parent group is `name` may still be running: the process that made
 * it is alive (not a zombie) and is the same process, started when the name says. A name
 * without a start time (an earlier version's) has only the pid to go by. Undefined when
 * `name` is not a run's group. `proc` is another /proc for tests.
 */
export function runGroupOwnerAlive(name: string, proc = '/proc'): boolean | undefined {
  const match = RUN_GROUP.exec(name);
  if (match === null) return undefined;
  const stat = readProcStat(Number(match[1]), proc);
  if (stat === undefined || stat.state === 'Z') return false;
  return match[2] === undefined || stat.startTicks === Number(match[2]);
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Makes the group `path`; false if it was already there. */
export function createGroup(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Moves the process `pid`, all its threads, into `group`; false if it is gone (or a
 * zombie, which no group takes). Processes it starts later are born in the group.
 */
export function moveIntoGroup(group: string, pid: number): boolean {
  try {
    writeFileSync(join(group, 'cgroup.procs'), String(pid));
    return true;
  } catch (err) {
    if (errorCode(err) === 'ESRCH') return false;
    throw err;
  }
}

function groupProcesses(group: string): number[] {
  return readFileSync(join(group, 'cgroup.procs'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
}

/**
 * Removes `group`, first moving every process still in it to the hierarchy's `root` group.
 * A process that forks while it is moved leaves a child behind: it is moved on the next
 * pass. Zombies do not keep a group from going.
 */
export function removeGroup(group: string, root: string): void {
  for (let pass = 1; ; pass++) {
    for (const pid of groupProcesses(group)) moveIntoGroup(root, pid);
    try {
      rmdirSync(group);
      return;
    } catch (err) {
      if (errorCode(err) !== 'EBUSY' || pass === 20) throw err;
    }
  }
}

/** Removes an empty group; leaves one that still has processes or groups in it. */
function removeIfEmpty(group: string): void {
  try {
    rmdirSync(group);
  } catch (err) {
    if (errorCode(err) !== 'EBUSY' && errorCode(err) !== 'ENOTEMPTY') throw err;
  }
}

/**
 * Removes the groups a run that is no longer alive left under `root` (it crashed before its
 * close), where they are empty: one with a process still in it is left to be looked at. A
 * run whose pid another process has since taken is no longer alive.
 */
export function removeStaleRunGroups(root: string): void {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || runGroupOwnerAlive(entry.name) !== false) continue;
    const runGroup = join(root, entry.name);
    for (const component of readdirSync(runGroup, { withFileTypes: true })) {
      if (component.isDirectory()) removeIfEmpty(join(runGroup, component.name));
    }
    removeIfEmpty(runGroup);
  }
}
