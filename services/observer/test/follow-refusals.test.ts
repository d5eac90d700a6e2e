import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessName } from '@obscost/events';
import { ObserverError } from '../src/errors.js';
import { FOLLOW_INTERVAL_MS, TargetFollower } from '../src/follow.js';
import { requireTargets } from '../src/targets.js';
import { fakeProc } from './fake-proc.js';
import { FakeKernel } from './fakes.js';

const FULL = new ObserverError('OBS_TARGETS_FULL', 'the targets map is full (64 processes)');

test('a full targets map: the process is counted once, logged once, and followed once there is room', (t) => {
  const fake = fakeProc(t);
  for (const pid of [10, 11, 12, 13]) fake.start(pid, 'worker');
  const kernel = new FakeKernel();
  kernel.refuse.set(12, FULL);
  kernel.refuse.set(13, FULL);
  const lines: string[] = [];
  const names: ProcessName[][] = [];
  const targets = new TargetFollower({ comm: 'worker' }, kernel, (n) => names.push(n), {
    proc: fake.proc,
    log: (line) => lines.push(line),
  });
  targets.add(requireTargets({ comm: 'worker' }, fake.proc));
  assert.deepEqual(targets.targets, [10, 11], 'the others are followed');
  targets.follow();
  targets.follow();
  assert.deepEqual(targets.refusals, {
    exited: 0,
    other_uid: 0,
    targets_full: 2,
    attach_failed: 0,
  });
  assert.deepEqual(lines, [
    'observer: not following pid 12 (worker): the targets map is full (64 processes); ' +
      'counted in observer_targets_refused_total{reason="targets_full"}, not logged again',
  ]);

  fake.exit(10);
  kernel.refuse.delete(12);
  targets.follow();
  assert.deepEqual(targets.targets, [11, 12], 'room again: the refused process comes in');
  assert.deepEqual(names.at(-1), [
    { pid: 11, name: 'worker' },
    { pid: 12, name: 'worker' },
  ]);
  assert.deepEqual(targets.refusals, {
    exited: 0,
    other_uid: 0,
    targets_full: 2,
    attach_failed: 0,
  });
  assert.equal(lines.length, 1);
});

test('at start: refused all, the reason is the error; all exited, the target is not found', (t) => {
  const fake = fakeProc(t);
  fake.start(10, 'app');
  const kernel = new FakeKernel();
  kernel.refuse.set(10, FULL);
  const full = new TargetFollower({ pid: 10 }, kernel, () => undefined, { proc: fake.proc });
  assert.throws(() => {
    full.add([10]);
  }, FULL);
  kernel.refuse.set(10, new ObserverError('OBS_BPF', 'No such process'));
  fake.exit(10);
  const gone = new TargetFollower({ pid: 10 }, kernel, () => undefined, { proc: fake.proc });
  assert.throws(
    () => {
      gone.add([10]);
    },
    { code: 'OBS_TARGET_NOT_FOUND', message: 'pid 10 exited before it could be followed' },
  );
});

test('an error of no catalogue in a re-resolve stops following and goes to the handler', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const fake = fakeProc(t);
  fake.start(10, 'worker');
  const bug = new TypeError('a bug');
  const kernel = new FakeKernel();
  const targets = new TargetFollower({ comm: 'worker' }, kernel, () => undefined, {
    proc: fake.proc,
  });
  t.after(() => {
    targets.stop();
  });
  targets.add([10]);
  const errors: unknown[] = [];
  targets.start((err) => errors.push(err));
  kernel.refuse.set(11, bug);
  fake.start(11, 'worker');
  t.mock.timers.tick(FOLLOW_INTERVAL_MS);
  assert.deepEqual(errors, [bug]);
  t.mock.timers.tick(5 * FOLLOW_INTERVAL_MS);
  assert.equal(errors.length, 1, 'following stopped');
});

test('--uid: processes of other users are refused as other_uid, counted once, logged once', (t) => {
  const fake = fakeProc(t);
  fake.start(10, 'worker', { uid: 1000 });
  fake.start(11, 'worker', { uid: 0 });
  fake.start(12, 'worker', { uid: 0 });
  const lines: string[] = [];
  const targets = new TargetFollower({ comm: 'worker' }, new FakeKernel(), () => undefined, {
    proc: fake.proc,
    uid: 1000,
    log: (line) => lines.push(line),
  });
  targets.add([10, 11, 12]);
  targets.follow();
  assert.deepEqual(targets.targets, [10]);
  assert.deepEqual(targets.refusals, {
    exited: 0,
    other_uid: 2,
    targets_full: 0,
    attach_failed: 0,
  });
  assert.deepEqual(lines, [
    'observer: not following pid 11 (worker): pid 11 belongs to uid 0, not --uid 1000; ' +
      'counted in observer_targets_refused_total{reason="other_uid"}, not logged again',
  ]);
  const none = new TargetFollower({ pid: 11 }, new FakeKernel(), () => undefined, {
    proc: fake.proc,
    uid: 1000,
  });
  assert.throws(
    () => {
      none.add([11]);
    },
    { code: 'OBS_TARGET_OTHER_UID' },
  );
});
