import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ProcessName } from '@obscost/events';
import { FOLLOW_INTERVAL_MS, TargetFollower } from '../src/follow.js';
import { requireTargets, type TargetSpec } from '../src/targets.js';
import { FakeKernel } from './fakes.js';

/** A /proc of the test's own: processes come and go as directories with a stat and a comm. */
function fakeProc(t: TestContext) {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-follow-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const proc = path.join(dir, 'proc');
  mkdirSync(proc);
  return {
    proc,
    pidfile: path.join(dir, 'app.pid'),
    start(pid: number, comm: string): void {
      mkdirSync(path.join(proc, String(pid)));
      writeFileSync(path.join(proc, String(pid), 'stat'), `${pid} (${comm}) S`);
      writeFileSync(path.join(proc, String(pid), 'comm'), `${comm}\n`);
    },
    exit(pid: number): void {
      rmSync(path.join(proc, String(pid)), { recursive: true });
    },
  };
}

function follower(spec: TargetSpec, proc: string) {
  const kernel = new FakeKernel();
  const names: ProcessName[][] = [];
  const targets = new TargetFollower(spec, kernel, (n) => names.push(n), proc);
  targets.add(requireTargets(spec, proc));
  return { targets, calls: kernel.calls, names };
}

test('a pid file that names another process: the old one out, the new one in, names handed on', (t) => {
  const fake = fakeProc(t);
  fake.start(100, 'obscost-app');
  writeFileSync(fake.pidfile, '100\n');
  const { targets, calls, names } = follower({ pidfile: fake.pidfile }, fake.proc);
  assert.deepEqual(calls, ['kernel: add 100']);
  assert.deepEqual(names, [[{ pid: 100, name: 'obscost-app' }]]);

  fake.exit(100);
  fake.start(200, 'obscost-app');
  writeFileSync(fake.pidfile, '200\n');
  targets.follow();
  assert.deepEqual(calls, ['kernel: add 100', 'kernel: remove 100', 'kernel: add 200']);
  assert.deepEqual(targets.targets, [200]);
  assert.deepEqual(names.at(-1), [{ pid: 200, name: 'obscost-app' }]);

  targets.follow();
  assert.equal(calls.length, 3, 'nothing changed, nothing done');
  assert.equal(names.length, 2, 'and no names handed on');

  fake.exit(200);
  targets.follow();
  assert.deepEqual(calls.at(-1), 'kernel: remove 200');
  assert.deepEqual(names.at(-1), [], 'a target gone is no longer named');
});

test('a command name: every process of that name, as they come and go', (t) => {
  const fake = fakeProc(t);
  fake.start(10, 'worker');
  fake.start(11, 'other');
  const { targets, calls, names } = follower({ comm: 'worker' }, fake.proc);
  assert.deepEqual(targets.targets, [10]);
  fake.start(12, 'worker');
  fake.start(13, 'worker');
  fake.exit(10);
  targets.follow();
  assert.deepEqual(calls, [
    'kernel: add 10',
    'kernel: remove 10',
    'kernel: add 12',
    'kernel: add 13',
  ]);
  assert.deepEqual(names.at(-1), [
    { pid: 12, name: 'worker' },
    { pid: 13, name: 'worker' },
  ]);
});

test('re-resolved every second; a plain --pid is never re-resolved', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const fake = fakeProc(t);
  fake.start(100, 'app');
  writeFileSync(fake.pidfile, '100\n');
  const byFile = follower({ pidfile: fake.pidfile }, fake.proc);
  const byPid = follower({ pid: 100 }, fake.proc);
  t.after(() => {
    byFile.targets.stop();
    byPid.targets.stop();
  });
  byFile.targets.start();
  byPid.targets.start();
  fake.exit(100);
  t.mock.timers.tick(FOLLOW_INTERVAL_MS - 1);
  assert.deepEqual(byFile.targets.targets, [100], 'not yet');
  t.mock.timers.tick(1);
  assert.deepEqual(byFile.targets.targets, []);
  assert.deepEqual(byPid.targets.targets, [100], 'a fixed pid has nothing to follow');
  byFile.targets.stop();
  fake.start(100, 'app');
  t.mock.timers.tick(10 * FOLLOW_INTERVAL_MS);
  assert.deepEqual(byFile.targets.targets, [], 'stopped: followed no more');
});
