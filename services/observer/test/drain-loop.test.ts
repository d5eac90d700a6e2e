import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DrainLoop, type PollTimers } from '../src/drain-loop.js';

/** Timers run by hand: each wait is written down, and the test runs the next poll. */
class HandTimers implements PollTimers {
  readonly waits: string[] = [];
  private next: (() => void) | undefined;

  soon(poll: () => void): void {
    this.waits.push('at once');
    this.next = poll;
  }

  later(ms: number, poll: () => void): () => void {
    this.waits.push(`${ms} ms`);
    this.next = poll;
    return () => {
      this.waits.push('cancelled');
      this.next = undefined;
    };
  }

  /** Runs the poll that waits, as the event loop would. */
  run(times = 1): void {
    for (let i = 0; i < times; i++) {
      const poll = this.next;
      this.next = undefined;
      poll?.();
    }
  }
}

/** A loop over a drain that finds `found` records at each successive poll, then none. */
function loopOver(found: number[], maxPollIntervalMs = 10) {
  const timers = new HandTimers();
  let polls = 0;
  let ticks = 0;
  const loop = new DrainLoop(
    () => found[polls++] ?? 0,
    () => {
      ticks++;
    },
    maxPollIntervalMs,
    timers,
  );
  return { loop, timers, polls: () => polls, ticks: () => ticks };
}

test('drains at once again while there is data, backs off when idle, up to the longest pause', () => {
  const { loop, timers, polls, ticks } = loopOver([3, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0]);
  loop.start(assert.ifError);
  timers.run(10);
  assert.deepEqual(timers.waits, [
    ...['at once', 'at once'],
    ...['1 ms', '2 ms', '4 ms', '8 ms', '10 ms', '10 ms', '10 ms'],
    ...['at once', '1 ms'],
  ]);
  assert.equal(polls(), 11);
  assert.equal(ticks(), 11, 'every poll ticks the batches, found records or not');
  loop.stop();
});

test('the back-off stops doubling: a long idle spell polls at the longest pause', () => {
  const { loop, timers } = loopOver([], 1000);
  loop.start(assert.ifError);
  timers.run(40);
  assert.deepEqual(timers.waits.slice(9, 13), ['512 ms', '1000 ms', '1000 ms', '1000 ms']);
  loop.stop();
});

test('stopped: a waiting poll is cancelled, a queued one finds the loop stopped', () => {
  const idle = loopOver([]);
  idle.loop.start(assert.ifError);
  idle.loop.stop();
  assert.deepEqual(idle.timers.waits, ['1 ms', 'cancelled']);

  const busy = loopOver([5, 5, 5]);
  busy.loop.start(assert.ifError);
  busy.loop.stop();
  busy.timers.run();
  assert.equal(busy.polls(), 1, 'the queued poll did not drain');
  assert.deepEqual(busy.timers.waits, ['at once']);
});

test(
  'never blocks the event loop, even while every poll finds data',
  { timeout: 10_000 },
  async () => {
    let polls = 0;
    const loop = new DrainLoop(
      () => {
        polls++;
        return 1;
      },
      () => undefined,
      10,
    );
    loop.start(assert.ifError);
    // Were the loop to drain in a loop of its own, this timer would never fire.
    await new Promise((resolve) => setTimeout(resolve, 20));
    loop.stop();
    const stoppedAt = polls;
    assert.ok(polls > 1, `${polls} polls`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(polls, stoppedAt, 'no poll after stop');
  },
);
