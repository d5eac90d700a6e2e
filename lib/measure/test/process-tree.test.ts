import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChild } from '@obscost/process';
import { processTree, readProcessTable } from '../src/process-tree.js';

/** A /proc of `parents` (pid to parent pid), each with a stat line as the kernel writes it. */
function fakeProc(parents: Record<number, number>): string {
  const proc = mkdtempSync(join(tmpdir(), 'obscost-proc-'));
  for (const [pid, parent] of Object.entries(parents)) {
    mkdirSync(join(proc, pid));
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice threads itrealvalue starttime
    const stat = `${pid} (node a) b) S ${parent} ${pid} 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 ${pid}00\n`;
    writeFileSync(join(proc, pid, 'stat'), stat);
  }
  mkdirSync(join(proc, 'self'));
  return proc;
}

test('one reading of /proc gives every tree, parents before children', (t) => {
  const proc = fakeProc({ 1: 0, 10: 1, 11: 10, 12: 1, 13: 11, 20: 1 });
  t.after(() => {
    rmSync(proc, { recursive: true, force: true });
  });
  const table = readProcessTable(proc);
  assert.deepEqual(
    [...table.stats.keys()].sort((a, b) => a - b),
    [1, 10, 11, 12, 13, 20],
  );
  assert.equal(table.stats.get(13)?.parentPid, 11);
  assert.equal(table.stats.get(13)?.command, 'node a) b');
  assert.equal(table.stats.get(13)?.startTicks, 1300);
  assert.deepEqual(table.tree(10), [10, 11, 13]);
  assert.deepEqual(table.tree(20), [20]);
  const whole = table.tree(1);
  assert.deepEqual(
    [...whole].sort((a, b) => a - b),
    [1, 10, 11, 12, 13, 20],
  );
  assert.ok(whole.indexOf(11) > whole.indexOf(10) && whole.indexOf(13) > whole.indexOf(11));
});

test('the tree of this process holds a child it started', { timeout: 10_000 }, (t) => {
  const child = startChild('sleep', ['5']);
  t.after(() => child.stop(1_000));
  assert.ok(processTree(process.pid).includes(child.pid ?? 0));
});
