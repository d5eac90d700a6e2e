import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startChild } from '../src/child.js';
import { processTree, readProcessTable } from '../src/process-tree.js';
import { fakeProc } from '../src/fake-proc.js';

test('one reading of /proc gives every tree, parents before children', (t) => {
  const parents = { 1: 0, 10: 1, 11: 10, 12: 1, 13: 11, 20: 1 };
  const proc = fakeProc(
    Object.fromEntries(Object.entries(parents).map(([pid, parent]) => [pid, { parent }])),
  );
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
