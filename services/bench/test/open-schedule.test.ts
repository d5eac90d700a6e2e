import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { Connection } from '../src/connection.js';
import { OpenSchedule } from '../src/open-schedule.js';

/** What the schedule reads of a connection: whether it is ready, and when it last sent. */
class FakeConnection {
  ready = true;
  sentAt = -1;
}

const failOnError = (err: Error): never => {
  throw err;
};

test(
  'every slot goes out once, in order, 1/rate apart, each lag recorded',
  { timeout: 10_000 },
  async (t) => {
    const dues: number[] = [];
    let allSent: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allSent = resolve));
    const schedule: OpenSchedule = await OpenSchedule.start(1000, 200, {
      send: (connection, due) => {
        (connection as unknown as FakeConnection).sentAt = performance.now();
        dues.push(due);
        // The response comes back a little later, and frees the connection again.
        setImmediate(() => {
          schedule.offer(connection, performance.now());
          if (schedule.exhausted) allSent();
        });
      },
      failed: failOnError,
    });
    t.after(() => schedule.close());
    for (const fake of [new FakeConnection(), new FakeConnection()]) {
      schedule.offer(fake as unknown as Connection, performance.now());
    }
    await done;
    assert.equal(dues.length, 200);
    assert.equal(schedule.lag.count, 200, 'one lag a request issued');
    for (let i = 1; i < dues.length; i++) {
      assert.ok(Math.abs((dues[i] ?? 0) - (dues[i - 1] ?? 0) - 1) < 1e-6, `slot ${i} 1 ms later`);
    }
    // A bound a noisy 2-core machine keeps: the precision itself is measured by bench:open.
    assert.ok(schedule.lag.summary().p50 < 5, `p50 lag ${schedule.lag.summary().p50} ms`);
  },
);

test('a connection that is no longer ready is passed over', { timeout: 10_000 }, async (t) => {
  let sent = 0;
  const schedule = await OpenSchedule.start(1000, 10, {
    send: () => {
      sent++;
    },
    failed: failOnError,
  });
  t.after(() => schedule.close());
  const gone = new FakeConnection();
  gone.ready = false;
  schedule.offer(gone as unknown as Connection, performance.now());
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(sent, 0);
  assert.equal(schedule.lag.count, 0);
});
