import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatch, EventKind } from '@obscost/events';
import { parseObserverArgs, type ObserverConfig } from '../src/config.js';
import type { PollTimers } from '../src/drain-loop.js';
import { Observer } from '../src/observer.js';
import { FakeCapture, FakeKernel, FakeSink } from './fakes.js';
import { event } from './fake-ring.js';

function config(...argv: string[]): ObserverConfig {
  const parsed = parseObserverArgs(['--pid', '42', ...argv], {});
  assert.ok(parsed);
  return parsed;
}

/** A /proc with no process in it: the targets are named `unknown`. */
const NO_PROC = '/nonexistent';

/** Timers that never fire: the drain runs only when the test says (or at stop). */
const STILL: PollTimers = {
  soon: () => undefined,
  later: () => () => undefined,
};

test('shutdown: detach, drain what the probes left, close the batch, the capture, the kernel, then flush the sink', async (t) => {
  const calls: string[] = [];
  const kernel = new FakeKernel(calls);
  const sink = new FakeSink(calls);
  const observer = Observer.over(
    kernel,
    [42],
    config('--flush-timeout', '1234'),
    { sink, capture: new FakeCapture(calls) },
    { proc: NO_PROC, timers: STILL },
  );
  t.after(() => observer.stop());
  for (let i = 0; i < 3; i++) kernel.fakeRing.push(event(EventKind.UPROBE, 100));
  assert.deepEqual(observer.targets, [42]);
  await observer.stop();
  assert.deepEqual(calls, [
    'kernel: add 42',
    'kernel: detach',
    'kernel: drained 3',
    'capture: batch',
    'sink: batch 1 (3 events)',
    'capture: close',
    'kernel: close',
    'sink: close within 1234 ms',
  ]);
  assert.equal(observer.counters.eventsOf(EventKind.UPROBE), 3);
  await observer.stop();
  assert.equal(calls.length, 8, 'a second stop does nothing');
});

test(
  'a batch closes at --batch-age even when no event comes after it',
  { timeout: 10_000 },
  async (t) => {
    const kernel = new FakeKernel();
    const sink = new FakeSink();
    const observer = Observer.over(
      kernel,
      [42],
      config('--batch-age', '50', '--max-poll-interval', '5'),
      { sink },
      { proc: NO_PROC },
    );
    t.after(() => observer.stop());
    kernel.fakeRing.push(event(EventKind.WRITE, 8));
    const pushed = performance.now();
    while (sink.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const waited = performance.now() - pushed;
    assert.ok(waited >= 50, `closed after ${waited} ms`);
    assert.ok(waited < 50 + 1000, `closed after ${waited} ms, far past its age`);
    const [batch] = sink.batches;
    assert.equal(batch?.events, 1);
    assert.deepEqual(
      decodeBatch(batch.record).processes.map((p) => ({ ...p })),
      [{ pid: 42, name: 'unknown' }],
    );
  },
);

test(
  'what the drain loop drains reaches the counters and the sink, in sequence',
  { timeout: 10_000 },
  async (t) => {
    const kernel = new FakeKernel();
    const sink = new FakeSink();
    const observer = Observer.over(
      kernel,
      [42],
      config('--batch-bytes', '1K', '--max-poll-interval', '2'),
      { sink },
      { proc: NO_PROC },
    );
    t.after(() => observer.stop());
    for (let i = 0; i < 200; i++) kernel.fakeRing.push(event(EventKind.WRITEV, i));
    while (observer.counters.eventsOf(EventKind.WRITEV) < 200) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await observer.stop();
    assert.equal(observer.ringBufferUsedBytes, 0);
    assert.deepEqual(
      sink.batches.map((b) => b.sequence),
      sink.batches.map((_, i) => i + 1),
    );
    assert.equal(
      sink.batches.reduce((n, b) => n + b.events, 0),
      200,
    );
    assert.equal(observer.counters.bytesOf(EventKind.WRITEV), (199 * 200) / 2);
  },
);

test('an error in the drain stops the observer: the open batch flushed, the kernel closed, the reason kept', async (t) => {
  const calls: string[] = [];
  const kernel = new FakeKernel(calls);
  const sink = new FakeSink(calls);
  const broken = new Error('the drain broke');
  const drain = kernel.ring.drain;
  let failures = 0;
  kernel.ring.drain = (visit) => {
    const records = drain(visit);
    if (failures++ === 0) throw broken;
    return records;
  };
  kernel.fakeRing.push(event(EventKind.WRITE, 8));
  const observer = Observer.over(
    kernel,
    [42],
    config(),
    { sink },
    { proc: NO_PROC, timers: STILL },
  );
  t.after(() => observer.stop());
  assert.equal(await observer.failed, broken);
  assert.deepEqual(calls, [
    'kernel: add 42',
    'kernel: drained 1',
    'kernel: detach',
    'sink: batch 1 (1 events)',
    'kernel: close',
    'sink: close within 5000 ms',
  ]);
});
