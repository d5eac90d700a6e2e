import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { OpenSchedule, type ScheduleHooks } from '../src/open-schedule.js';
import { CellState } from '../src/send-board.js';

const REQUEST = Buffer.from('GET / HTTP/1.1\r\n\r\n');

/** An fd the worker can write to as to a socket: /dev/null takes every byte. */
function sink(t: TestContext, flags = 'w'): number {
  const fd = openSync('/dev/null', flags);
  t.after(() => {
    closeSync(fd);
  });
  return fd;
}

interface Started {
  schedule: OpenSchedule;
  ended: Promise<void>;
  failures: string[];
}

async function start(
  t: TestContext,
  plan: { rate: number; slots: number; conns: number },
): Promise<Started> {
  let ended: () => void = () => undefined;
  const failures: string[] = [];
  const hooks: ScheduleHooks = {
    writeFailed: (index, reason) => failures.push(`${index}: ${reason}`),
    ended: () => {
      ended();
    },
    failed: (err) => {
      throw err;
    },
  };
  const done = new Promise<void>((resolve) => (ended = resolve));
  const schedule = await OpenSchedule.start({ ...plan, request: REQUEST }, hooks);
  t.after(() => schedule.close());
  return { schedule, ended: done, failures };
}

/** Plays the main thread: each request written is answered soon after, its due time kept. */
function answer(schedule: OpenSchedule, conns: number, dues: number[]): () => void {
  const timer = setInterval(() => {
    for (let i = 0; i < conns; i++) {
      if (schedule.board.state(i) !== CellState.busy) continue;
      dues.push(schedule.board.settle(i));
      schedule.board.release(i);
    }
  }, 0);
  return () => {
    clearInterval(timer);
  };
}

test(
  'every slot goes out once, in order, 1/rate apart, each lag recorded',
  { timeout: 10_000 },
  async (t) => {
    const { schedule, ended, failures } = await start(t, { rate: 1000, slots: 200, conns: 2 });
    for (let i = 0; i < 2; i++) schedule.board.publish(i, sink(t));
    const dues: number[] = [];
    const stop = answer(schedule, 2, dues);
    t.after(stop);
    await ended;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(failures, []);
    assert.equal(schedule.issued, 200);
    assert.equal(schedule.lag.count, 200, 'one lag a request issued');
    assert.equal(dues.length, 200);
    dues.sort((a, b) => a - b);
    for (let i = 1; i < dues.length; i++) {
      const gap = (dues[i] ?? 0) - (dues[i - 1] ?? 0);
      assert.ok(Math.abs(gap - 1) < 1e-6, `slot ${i} 1 ms after the one before, not ${gap}`);
    }
    // A bound a noisy 2-core machine keeps: the precision itself is measured by bench:open.
    assert.ok(schedule.lag.summary().p50 < 5, `p50 lag ${schedule.lag.summary().p50} ms`);
  },
);

test(
  'nothing is sent before a connection is idle, nor after stop',
  { timeout: 10_000 },
  async (t) => {
    const { schedule, ended } = await start(t, { rate: 1000, slots: 1000, conns: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(schedule.board.state(0), CellState.closed);
    assert.equal(schedule.active, true);
    schedule.board.publish(0, sink(t));
    const dues: number[] = [];
    t.after(answer(schedule, 1, dues));
    await new Promise((resolve) => setTimeout(resolve, 30));
    schedule.stop();
    await ended;
    assert.equal(schedule.active, false);
    assert.ok(schedule.issued > 0 && schedule.issued < 1000, `${schedule.issued} issued`);
    assert.equal(schedule.lag.count, schedule.issued);
  },
);

test(
  'a request that cannot be written is reported, its slot used',
  { timeout: 10_000 },
  async (t) => {
    const { schedule, ended, failures } = await start(t, { rate: 1000, slots: 1, conns: 1 });
    // Open for reading only: write(2) fails with EBADF, as on a socket the peer reset.
    schedule.board.publish(0, sink(t, 'r'));
    await ended;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(schedule.issued, 1);
    assert.equal(schedule.board.state(0), CellState.failed);
    assert.equal(failures.length, 1);
    assert.match(failures[0] ?? '', /^0: write failed: EBADF/);
  },
);
