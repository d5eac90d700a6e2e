import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** For tests: a process of a fake /proc: its parent, and optionally its state and start time. */
export interface FakeProcess {
  parent: number;
  state?: string;
  startTicks?: number;
}

/**
 * A /proc holding `processes` by pid, each a stat line as the kernel writes it (a command
 * name with a space and a parenthesis), and a `self` entry that is no process; remove it
 * when done. A process's start time is its pid × 100 unless given.
 */
export function fakeProc(processes: Record<number, FakeProcess>): string {
  const proc = mkdtempSync(join(tmpdir(), 'obscost-proc-'));
  for (const [pid, { parent, state = 'S', startTicks = Number(pid) * 100 }] of Object.entries(
    processes,
  )) {
    mkdirSync(join(proc, pid));
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice threads itrealvalue starttime
    const fields = `${state} ${parent} ${pid} 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 ${startTicks}`;
    writeFileSync(join(proc, pid, 'stat'), `${pid} (node a) b) ${fields}\n`);
  }
  mkdirSync(join(proc, 'self'));
  return proc;
}
