import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readProcStat, startChild } from '@obscost/process';
import { cgroupMounts } from '../src/cgroup-mounts.js';
import { openComponentCpuMeter } from '../src/component-cpu.js';
import type { CpuMeterSource } from '../src/cpu-counting.js';
import { processCpuNs, processTreeCpuNs } from '../src/schedstat.js';
import { startSpinningChild, spin } from './cpu-children.js';

const SPIN_US = 120_000;
const MS = 1e6;
const mounts = cgroupMounts();
const notRoot = process.getuid?.() !== 0 && 'making cgroups needs root';

/** What the meter promises against a process's own exact figure: 2% or 20 ms. */
function assertWithin(measuredNs: number, trueNs: number, what: string): void {
  const slack = Math.max(0.02 * trueNs, 20 * MS);
  assert.ok(
    Math.abs(measuredNs - trueNs) <= slack,
    `${what}: measured ${(measuredNs / MS).toFixed(1)} ms, true ${(trueNs / MS).toFixed(1)} ms`,
  );
}

const GROUP_SOURCES: { source: CpuMeterSource; root: string | undefined }[] = [
  { source: 'cgroup1-cpuacct', root: mounts.cpuacct },
  { source: 'cgroup2', root: mounts.unified },
];

for (const { source, root } of GROUP_SOURCES) {
  test(
    `${source}: a child's CPU in ns, with its exited thread and exited grandchild`,
    { skip: notRoot || (root === undefined && `no ${source} mounted`), timeout: 60_000 },
    async (t) => {
      const meter = openComponentCpuMeter({ source });
      t.after(() => {
        meter.close();
      });
      const child = startSpinningChild(SPIN_US, { worker: true, grandchild: true });
      t.after(() => child.stop(2_000));
      await child.waitForOutput(/^ready$/m, 'the child to start');
      meter.add('app', child.pid ?? 0);
      const spun = await spin(child);
      const reading = meter.read('app');
      assertWithin(reading.totalNs, spun.ownNs + spun.grandchildNs, `${source} total`);
      // The split is ticks: within a few of the total.
      assert.ok(Math.abs(reading.userNs + reading.systemNs - reading.totalNs) <= 60 * MS);
      assert.deepEqual(Object.keys(meter.readAll()), ['app']);
    },
  );

  test(
    `${source}: close moves what still runs to the root group and leaves no group`,
    { skip: notRoot || (root === undefined && `no ${source} mounted`), timeout: 30_000 },
    async (t) => {
      const meter = openComponentCpuMeter({ source });
      t.after(() => {
        meter.close();
      });
      const child = startSpinningChild(0, { worker: false, grandchild: false });
      t.after(() => child.stop(2_000));
      await child.waitForOutput(/^ready$/m, 'the child to start');
      const pid = child.pid ?? 0;
      meter.add('bench', pid);
      assert.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), /\/obscost-\d+-\d+-\d+\/bench$/m);
      const runGroup = meter.runGroup ?? '';
      assert.ok(existsSync(`${runGroup}/bench`));
      meter.close();
      assert.equal(existsSync(runGroup), false);
      assert.doesNotMatch(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), /obscost/);
      assert.ok(child.running, 'the process itself is left alone');
    },
  );
}

test('schedstat: a process in ns, by the meter and on its own', { timeout: 60_000 }, async (t) => {
  const meter = openComponentCpuMeter({ source: 'schedstat' });
  t.after(() => {
    meter.close();
  });
  assert.equal(meter.runGroup, undefined);
  const child = startSpinningChild(SPIN_US, { worker: false, grandchild: false });
  t.after(() => child.stop(2_000));
  await child.waitForOutput(/^ready$/m, 'the child to start');
  const pid = child.pid ?? 0;
  meter.add('app', pid);
  const before = processCpuNs(pid);
  const spun = await spin(child);
  assertWithin(meter.read('app').totalNs, spun.ownNs, 'schedstat meter');
  assertWithin(processCpuNs(pid) - before, spun.ownNs, 'processCpuNs');
  assertWithin(processTreeCpuNs(pid) - before, spun.ownNs, 'processTreeCpuNs');
});

test('a meter refuses a bad component name, an unknown one, and a pid that is gone', () => {
  const meter = openComponentCpuMeter({ source: 'schedstat' });
  try {
    assert.throws(() => {
      meter.add('App Server', process.pid);
    }, /is not a component name/);
    assert.throws(() => meter.read('kafka'), /no process was added as kafka/);
    assert.throws(() => {
      meter.add('kafka', 2 ** 22 + 1);
    }, /no process 4194305 to count as kafka/);
  } finally {
    meter.close();
  }
});

test(
  "a meter removes a dead run's empty groups, its pid reused or not, and leaves a live run's",
  {
    skip: notRoot || (mounts.cpuacct === undefined && 'no cgroup1-cpuacct mounted'),
    timeout: 30_000,
  },
  async (t) => {
    const root = mounts.cpuacct ?? '';
    const finished = startChild('true', []);
    await finished.exited;
    const start = readProcStat(process.pid)?.startTicks ?? 0;
    const stale = join(root, `obscost-${finished.pid ?? 0}-1`);
    // This process's pid, but an earlier start: a run whose pid this process has taken.
    const reused = join(root, `obscost-${process.pid}-${start - 1}-1`);
    const live = join(root, `obscost-${process.pid}-${start}-999`);
    t.after(() => {
      for (const group of [join(stale, 'app'), stale, join(reused, 'app'), reused, live]) {
        if (existsSync(group)) rmdirSync(group);
      }
    });
    mkdirSync(join(stale, 'app'), { recursive: true });
    mkdirSync(join(reused, 'app'), { recursive: true });
    mkdirSync(live);
    const meter = openComponentCpuMeter();
    t.after(() => {
      meter.close();
    });
    assert.equal(meter.source, 'cgroup1-cpuacct', 'the first source, where it is mounted');
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(reused), false);
    assert.equal(existsSync(live), true);
  },
);
