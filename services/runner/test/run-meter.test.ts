import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BENCH_COMPONENT, RunMeter, type Mark } from '../src/run-meter.js';

const MS = 1e6;

/** A mark at `atMs`: two CPUs' busy time, each component's and the runner's CPU, in ms. */
function mark(atMs: number, busyMs: [number, number], allMs: Record<string, number>) {
  const { runner = 0, ...componentsMs } = allMs;
  return {
    busy: {
      atNs: atMs * MS,
      cpus: new Map(busyMs.map((busy, cpu) => [cpu, { busyNs: busy * MS, interruptNs: 0 }])),
    },
    componentsNs: Object.fromEntries(Object.entries(componentsMs).map(([k, v]) => [k, v * MS])),
    runnerNs: runner * MS,
  } satisfies Mark;
}

test("the load generator's whole life is its own time, and no component of the scenario", (t) => {
  const meter = new RunMeter({ app: [], other: [] });
  t.after(() => {
    meter.close();
  });
  const before = mark(0, [0, 0], { app: 0, collector: 0, [BENCH_COMPONENT]: 0, runner: 0 });
  // One second; 1,000 ms busy over both CPUs: 500 the app, 100 the collector, 300 the bench
  // (start-up and exit included), 50 the runner.
  const after = mark(1_000, [600, 400], {
    app: 500,
    collector: 100,
    [BENCH_COMPONENT]: 300,
    runner: 50,
  });
  // The bench's own report covers its load only: 250 of its 300 ms.
  const run = meter.between(before, after, 250 * MS);
  assert.deepEqual(run.componentsNs, { app: 500 * MS, collector: 100 * MS });
  assert.equal(run.foreign.app_cpus, 0);
  assert.ok(Math.abs(run.foreign.other_cpus - 0.05) < 1e-9, `${run.foreign.other_cpus}`);
  // Counted from /proc, an exited bench keeps nothing: its own report stands in.
  const lost = { ...after, componentsNs: { ...after.componentsNs, [BENCH_COMPONENT]: 0 } };
  assert.ok(Math.abs(meter.between(before, lost, 250 * MS).foreign.other_cpus - 0.1) < 1e-9);
});
