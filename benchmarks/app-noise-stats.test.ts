import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CpuBusySnapshot } from '@obscost/measure';
import {
  pooledSdPercent,
  spreadOf,
  summarize,
  timeScales,
  windowsOf,
  type AppRun,
  type NoiseMark,
} from './app-noise-stats.js';

const MS = 1e6;

/** A mark at `atMs`: CPU 1 (the app's) busy `busyMs` since boot, the app's CPU `appMs`. */
function mark(atMs: number, busyMs: number, appMs: number): NoiseMark {
  const busy: CpuBusySnapshot = {
    atNs: atMs * MS,
    cpus: new Map([
      [0, { busyNs: 0, interruptNs: 0 }],
      [1, { busyNs: busyMs * MS, interruptNs: 0 }],
    ]),
  };
  return { busy, appNs: appMs * MS };
}

/** An app's run from its windows' CPU a request, each with no foreign load unless given. */
function run(cpu: number, windows: number[], foreign: number[] = []): AppRun {
  return {
    cpu_us_per_request: cpu,
    foreign_cpus: 0,
    windows: windows.map((w, i) => ({ cpu_us_per_request: w, foreign_cpus: foreign[i] ?? 0 })),
  };
}

test('spreadOf: mean, sample SD and SD% of the mean; no SD from fewer than two', () => {
  assert.deepEqual(spreadOf([2, 4, 4, 4, 5, 5, 7, 9]), {
    count: 8,
    mean: 5,
    sd: Math.sqrt(32 / 7),
    sd_percent: (100 * Math.sqrt(32 / 7)) / 5,
  });
  assert.deepEqual(spreadOf([40]), { count: 1, mean: 40, sd: null, sd_percent: null });
  assert.deepEqual(spreadOf([]), { count: 0, mean: null, sd: null, sd_percent: null });
});

test("pooledSdPercent: each value against its own group's mean, not the others'", () => {
  // Groups 10 apart with the same spread inside: squares 2 + 2 over 1 + 1 degrees of freedom.
  assert.equal(
    pooledSdPercent([
      [9, 11],
      [19, 21],
    ]),
    (100 * Math.sqrt(4 / 2)) / 15,
  );
  // A group of one adds to the mean but has no freedom to add to the spread.
  assert.equal(pooledSdPercent([[9, 11], [40]]), (100 * Math.sqrt(2 / 1)) / 20);
  assert.equal(pooledSdPercent([[9], [11]]), null);
  assert.equal(pooledSdPercent([]), null);
});

test('windowsOf: CPU over the requests due in each window, the first window left out', () => {
  const windows = windowsOf(
    [
      mark(0, 0, 0),
      // The bench's start-up: left out whatever it holds.
      mark(1_000, 500, 500),
      // 1 s at 10,000 req/s: 400 ms of the app's CPU is 40 µs a request, nothing foreign.
      mark(2_000, 900, 900),
      // 500 ms: 5,000 due, 250 ms of the app's is 50 µs; 50 ms else on CPU 1 is 0.1 CPU.
      mark(2_500, 1_200, 1_150),
    ],
    10_000,
    [1],
  );
  assert.deepEqual(windows, [
    { cpu_us_per_request: 40, foreign_cpus: 0 },
    { cpu_us_per_request: 50, foreign_cpus: 0.1 },
  ]);
  assert.deepEqual(windowsOf([mark(0, 0, 0), mark(1_000, 1, 1)], 10_000, [1]), []);
});

test('summarize: apps, quiet windows pooled, foreign windows apart', () => {
  const summary = summarize(
    [run(40, [39, 41, 60], [0, 0.01, 0.05]), run(44, [43, 45, 30], [0, 0, 0.2])],
    4,
  );
  assert.deepEqual(summary.apps, spreadOf([40, 44]));
  const sdPercent = (100 * Math.sqrt(4 / 2)) / 42;
  assert.deepEqual(summary.windows, {
    count: 4,
    sd_percent: sdPercent,
    predicted_run_sd_percent: sdPercent / 2,
  });
  assert.deepEqual(summary.foreign_windows, { count: 2, mean_cpu_us_per_request: 45 });
});

test('summarize: no apps, or no quiet window, gives nulls rather than NaN', () => {
  assert.deepEqual(summarize([], 10), {
    apps: { count: 0, mean: null, sd: null, sd_percent: null },
    windows: { count: 0, sd_percent: null, predicted_run_sd_percent: null },
    foreign_windows: { count: 0, mean_cpu_us_per_request: null },
    time_scales: [],
  });
  assert.equal(summarize([run(40, [50], [1])], 10).windows.sd_percent, null);
});

test('timeScales: adjacent stretches of 1, 2, 4... windows, as long as a run holds two', () => {
  // Two stretches of 2 at 40 then 80: one pair of 2, log ratio ln 2; single windows step once.
  const scales = timeScales([run(60, [40, 40, 80, 80])]);
  assert.deepEqual(
    scales.map((s) => [s.windows, s.pairs]),
    [
      [1, 3],
      [2, 1],
    ],
  );
  const [single, pair] = scales;
  // Log ratios 0, ln 2, 0: their sample SD.
  const sd = 100 * Math.sqrt((2 * (Math.LN2 / 3) ** 2 + ((2 * Math.LN2) / 3) ** 2) / 2);
  assert.ok(Math.abs((single?.sd_percent ?? 0) - sd) < 1e-9);
  assert.equal(pair?.sd_percent, null, 'one pair gives no SD');
  assert.ok(Math.abs((pair.independent_percent ?? 0) - sd / Math.SQRT2) < 1e-9);
});

test('timeScales: a stretch holding a foreign window pairs with neither neighbour', () => {
  const [single] = timeScales([run(40, [40, 44, 40, 44, 40], [0, 0, 0.2, 0, 0])]);
  // Pairs (40,44) and (44,40) at the ends; both pairs touching window 3 are dropped.
  assert.equal(single?.pairs, 2);
  assert.ok(Math.abs((single.sd_percent ?? 0) - 100 * Math.sqrt(2) * Math.log(1.1)) < 1e-9);
});

test('timeScales: independent windows average out, a drifting level does not', () => {
  // A fixed pseudo-random sequence: the test gives the same figures every run.
  let seed = 12345;
  const uniform = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const white = Array.from({ length: 4096 }, () => 60 * (1 + 0.1 * (uniform() - 0.5)));
  const [w1, , w4] = timeScales([run(60, white)]);
  const ratio = (w4?.sd_percent ?? 0) / (w1?.sd_percent ?? 1);
  assert.ok(ratio > 0.4 && ratio < 0.6, `white noise: 4 windows at ${ratio} of one, not 1/2`);
  let level = 60;
  const walk = Array.from({ length: 4096 }, () => (level *= 1 + 0.02 * (uniform() - 0.5)));
  const [r1, , r4] = timeScales([run(60, walk)]);
  const walkRatio = (r4?.sd_percent ?? 0) / (r1?.sd_percent ?? 1);
  assert.ok(walkRatio > 1.2, `a random walk: 4 windows at ${walkRatio} of one, more than 1`);
});
