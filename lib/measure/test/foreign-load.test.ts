import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CpuBusySnapshot } from '../src/cpu-busy.js';
import { foreignLoad } from '../src/foreign-load.js';

const MS = 1e6;

/** A snapshot at `atMs`, each CPU's busy and interrupt time given in milliseconds. */
function snapshot(atMs: number, busyMs: number[], interruptMs: number[] = []): CpuBusySnapshot {
  return {
    atNs: atMs * MS,
    cpus: new Map(
      busyMs.map((busy, cpu) => [
        cpu,
        { busyNs: busy * MS, interruptNs: (interruptMs[cpu] ?? 0) * MS },
      ]),
    ),
  };
}

test("each side's busy time, less its own components', is its foreign load a second", () => {
  // Two seconds; CPU 0 busy 1500 ms, CPU 1 (the app's) 1800 ms, CPU 2 200 ms.
  const before = snapshot(1_000, [10_000, 20_000, 30_000], [100, 200, 300]);
  const after = snapshot(3_000, [11_500, 21_800, 30_200], [150, 260, 300]);
  const load = foreignLoad(before, after, { app: [1], other: [0, 2] }, [
    { side: 'app', ns: 1_700 * MS },
    { side: 'other', ns: 900 * MS },
    { side: 'other', ns: 300 * MS },
  ]);
  assert.equal(load.seconds, 2);
  assert.deepEqual(load.app, {
    cpus: [1],
    busyNs: 1_800 * MS,
    ownNs: 1_700 * MS,
    foreignNs: 100 * MS,
    interruptNs: 60 * MS,
    busyCpus: 0.9,
    foreignCpus: 0.05,
    foreignShare: 100 / 1_800,
  });
  assert.deepEqual(load.other, {
    cpus: [0, 2],
    busyNs: 1_700 * MS,
    ownNs: 1_200 * MS,
    foreignNs: 500 * MS,
    interruptNs: 50 * MS,
    busyCpus: 0.85,
    foreignCpus: 0.25,
    foreignShare: 500 / 1_700,
  });
});

test('own time above the ticks of busy time is no foreign load; an idle side none either', () => {
  const load = foreignLoad(
    snapshot(0, [0, 0]),
    snapshot(1_000, [0, 990]),
    { app: [1], other: [0] },
    [{ side: 'app', ns: 995 * MS }],
  );
  assert.equal(load.app.foreignNs, 0);
  assert.deepEqual([load.other.busyNs, load.other.foreignNs, load.other.foreignShare], [0, 0, 0]);
});

test('a CPU on both sides, one not in the snapshots, or snapshots out of order are refused', () => {
  const before = snapshot(0, [0, 0]);
  const after = snapshot(1_000, [10, 10]);
  assert.throws(
    () => foreignLoad(before, after, { app: [1], other: [0, 1] }, []),
    /CPU 1 is on both sides/,
  );
  assert.throws(
    () => foreignLoad(before, after, { app: [2], other: [0] }, []),
    /CPU 2 is not in both/,
  );
  assert.throws(() => foreignLoad(after, before, { app: [1], other: [0] }, []), /not later/);
});
