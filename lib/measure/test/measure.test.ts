import assert from 'node:assert/strict';
import { test } from 'node:test';
import { programCosts, type ProgramCounters } from '../src/bpf-programs.js';
import { planCpus } from '../src/cpus.js';
import { cpuSeconds, openFds, peakRssBytes, rssBytes } from '../src/proc.js';

test('the app gets the last CPU and the rest the others, unless told', () => {
  assert.deepEqual(planCpus(2), { app: [1], other: [0] });
  assert.deepEqual(planCpus(4), { app: [3], other: [0, 1, 2] });
  assert.deepEqual(planCpus(4, [0, 1]), { app: [0, 1], other: [2, 3] });
  assert.deepEqual(planCpus(4, undefined, [3]), { app: [0, 1, 2], other: [3] });
  assert.deepEqual(planCpus(1), { app: [], other: [] }, 'one CPU: nothing pinned');
  assert.throws(() => planCpus(2, [2]), /CPU 2 is not one of this machine's 0-1/);
  assert.throws(() => planCpus(2, [0, 1]), /each need at least one CPU/);
  assert.throws(() => planCpus(4, [1, 2], [2, 3]), /CPU 2 cannot be both the app's and the rest's/);
});

test("this process's CPU time and peak RSS, from /proc", () => {
  const before = cpuSeconds(process.pid);
  // Spin until the process has run 60 ms of CPU, not of wall time: a busy machine may give it less.
  const start = process.cpuUsage();
  for (let used = process.cpuUsage(start); used.user + used.system < 60_000;) {
    used = process.cpuUsage(start);
  }
  const after = cpuSeconds(process.pid);
  // /proc counts in clock ticks (10 ms): at least 60 ms less a tick on each reading.
  assert.ok(after.user + after.system >= before.user + before.system + 0.04);
  const rss = peakRssBytes(process.pid);
  assert.ok(rss >= process.memoryUsage().rss * 0.5 && rss % 1024 === 0, String(rss));
});

test("a program's cost is what it ran between two readings; one loaded meanwhile counts whole", () => {
  const program = (id: number, run_cnt: number, run_time_ns: number): ProgramCounters => ({
    id,
    name: `p${id}`,
    type: 'tracepoint',
    owner: 'observer',
    run_cnt,
    run_time_ns,
  });
  assert.deepEqual(
    programCosts([program(1, 10, 1000)], [program(1, 30, 5000), program(2, 4, 400)]),
    [
      {
        name: 'p1',
        type: 'tracepoint',
        owner: 'observer',
        run_cnt: 20,
        run_time_ns: 4000,
        ns_per_run: 200,
      },
      {
        name: 'p2',
        type: 'tracepoint',
        owner: 'observer',
        run_cnt: 4,
        run_time_ns: 400,
        ns_per_run: 100,
      },
    ],
  );
  assert.equal(programCosts([], [program(3, 0, 0)])[0]?.ns_per_run, 0);
});

test("this process's resident memory and open file descriptors, from /proc", () => {
  const rss = rssBytes(process.pid);
  assert.ok(rss <= peakRssBytes(process.pid) && rss % 1024 === 0, String(rss));
  assert.ok(rss >= process.memoryUsage().rss * 0.5, String(rss));
  // stdin, stdout and stderr at least.
  assert.ok(openFds(process.pid) >= 3);
  assert.throws(() => cpuSeconds(2 ** 22 + 1), /no process 4194305 in \/proc/);
});
