import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { fakeProc, readProcStat } from '@obscost/process';
import { newRunGroupName, runGroupOwnerAlive } from '../src/cgroup-groups.js';

test("a run's group is alive only while the very process that made it is", (t) => {
  const proc = fakeProc({
    100: { parent: 1, startTicks: 5000 },
    200: { parent: 1, state: 'Z', startTicks: 6000 },
  });
  t.after(() => {
    rmSync(proc, { recursive: true, force: true });
  });
  assert.equal(runGroupOwnerAlive('obscost-100-5000-1', proc), true);
  // Pid 100 taken since by a process started later: the run that made the group is gone.
  assert.equal(runGroupOwnerAlive('obscost-100-4000-1', proc), false);
  assert.equal(runGroupOwnerAlive('obscost-200-6000-3', proc), false, 'a zombie');
  assert.equal(runGroupOwnerAlive('obscost-300-7000-1', proc), false, 'no such process');
  // An earlier version's name has only the pid to go by.
  assert.equal(runGroupOwnerAlive('obscost-100-2', proc), true);
  assert.equal(runGroupOwnerAlive('obscost-300-2', proc), false);
  for (const name of ['app', 'obscost-x-1', 'obscost-100', 'obscost-1-2-3-4']) {
    assert.equal(runGroupOwnerAlive(name, proc), undefined, name);
  }
});

test("this process's run groups name it, its start time, and a count", () => {
  const start = readProcStat(process.pid)?.startTicks;
  const [first, second] = [newRunGroupName(), newRunGroupName()];
  assert.match(first, new RegExp(`^obscost-${process.pid}-${start}-\\d+$`));
  assert.notEqual(first, second);
  assert.equal(runGroupOwnerAlive(first), true);
});
