import assert from 'node:assert/strict';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { ObserverError } from '../src/errors.js';
import { FOLLOW_INTERVAL_MS, TargetFollower } from '../src/follow.js';
import { requireTargets } from '../src/targets.js';
import { fakeProc, follower } from './fake-proc.js';
import { FakeKernel } from './fakes.js';

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

test('a tree: its root and every process it started, children found as they come', (t) => {
  const fake = fakeProc(t);
  fake.start(10, 'sh');
  fake.start(11, 'node', { parent: 10 });
  fake.start(12, 'node', { parent: 1 });
  const { targets, calls, names } = follower({ tree: 10 }, fake.proc);
  assert.deepEqual(targets.targets, [10, 11], 'not pid 12: another parent');
  fake.start(13, 'worker', { parent: 11 });
  targets.follow();
  fake.exit(13);
  targets.follow();
  assert.deepEqual(calls, [
    'kernel: add 10',
    'kernel: add 11',
    'kernel: add 13',
    'kernel: remove 13',
  ]);
  assert.deepEqual(names.at(-1), [
    { pid: 10, name: 'sh' },
    { pid: 11, name: 'node' },
  ]);
});

test('re-resolved every second; a plain --pid is checked too, and never followed again once it ends', (t) => {
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
  byFile.targets.start(assert.ifError);
  byPid.targets.start(assert.ifError);
  fake.exit(100);
  t.mock.timers.tick(FOLLOW_INTERVAL_MS - 1);
  assert.deepEqual(byFile.targets.targets, [100], 'not yet');
  t.mock.timers.tick(1);
  assert.deepEqual(byFile.targets.targets, []);
  assert.deepEqual(byPid.targets.targets, [], 'its process ended');
  byFile.targets.stop();
  fake.start(100, 'app', { started: 2000 });
  t.mock.timers.tick(10 * FOLLOW_INTERVAL_MS);
  assert.deepEqual(byFile.targets.targets, [], 'stopped: followed no more');
  assert.deepEqual(byPid.targets.targets, [], 'the pid is another process now: not followed');
});

test('a target that exited but is not yet reaped (a zombie) is not followed', (t) => {
  const fake = fakeProc(t);
  fake.start(100, 'app');
  fake.start(101, 'app');
  const byPid = follower({ pid: 100 }, fake.proc);
  const byComm = follower({ comm: 'app' }, fake.proc);
  fake.zombie(100);
  byPid.targets.follow();
  byComm.targets.follow();
  assert.deepEqual(byPid.targets.targets, []);
  assert.deepEqual(byPid.calls, ['kernel: add 100', 'kernel: remove 100']);
  assert.deepEqual(byComm.targets.targets, [101]);
});

test('a pid reused by another process: out, and back in only if it matches the target', (t) => {
  const fake = fakeProc(t);
  fake.start(10, 'worker', { started: 500 });
  const { targets, calls } = follower({ comm: 'worker' }, fake.proc);
  fake.exit(10);
  fake.start(10, 'worker', { started: 900 });
  targets.follow();
  assert.deepEqual(calls, ['kernel: add 10', 'kernel: remove 10', 'kernel: add 10']);
  fake.exit(10);
  fake.start(10, 'other', { started: 1300 });
  targets.follow();
  assert.deepEqual(calls.at(-1), 'kernel: remove 10');
  assert.deepEqual(targets.targets, []);
});

test('a process that exits between the scan and the attach is counted as exited, not as a failure', (t) => {
  const fake = fakeProc(t);
  fake.start(10, 'worker');
  const attachFailed = new ObserverError('OBS_BPF', 'cannot attach the uprobe: No such process');
  const kernel = {
    addTarget(pid: number): void {
      if (pid === 10) return;
      if (pid === 12) fake.exit(pid);
      throw attachFailed;
    },
    removeTarget: () => undefined,
  };
  const targets = new TargetFollower({ comm: 'worker' }, kernel, () => undefined, {
    proc: fake.proc,
  });
  targets.add([10]);
  fake.start(12, 'worker');
  fake.start(13, 'worker');
  targets.follow();
  targets.follow();
  assert.deepEqual(targets.targets, [10]);
  assert.deepEqual(targets.refusals, {
    exited: 1,
    other_uid: 0,
    targets_full: 0,
    attach_failed: 1,
  });
});

test('a pid file is trusted only when root or --uid owns it and no one else may write it', (t) => {
  const fake = fakeProc(t);
  fake.start(100, 'app');
  writeFileSync(fake.pidfile, '100\n');
  chmodSync(fake.pidfile, 0o644);
  assert.deepEqual(requireTargets({ pidfile: fake.pidfile }, fake.proc), [100]);
  chownSync(fake.pidfile, 1000, 1000);
  assert.throws(() => requireTargets({ pidfile: fake.pidfile }, fake.proc), {
    code: 'OBS_PIDFILE',
    message: `pid file ${fake.pidfile} is owned by uid 1000: only one owned by root is trusted`,
  });
  assert.deepEqual(requireTargets({ pidfile: fake.pidfile }, fake.proc, 1000), [100]);
  chmodSync(fake.pidfile, 0o666);
  assert.throws(() => requireTargets({ pidfile: fake.pidfile }, fake.proc, 1000), {
    code: 'OBS_PIDFILE',
    message: `pid file ${fake.pidfile} is writable by group or others (mode 666)`,
  });

  // Following, a pid file that became unsafe names no process, said once.
  chmodSync(fake.pidfile, 0o644);
  chownSync(fake.pidfile, 0, 0);
  const lines: string[] = [];
  const targets = new TargetFollower({ pidfile: fake.pidfile }, new FakeKernel(), () => undefined, {
    proc: fake.proc,
    log: (line) => lines.push(line),
  });
  targets.add([100]);
  chmodSync(fake.pidfile, 0o646);
  targets.follow();
  targets.follow();
  assert.deepEqual(targets.targets, []);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /writable by group or others \(mode 646\): following no process/);
});
