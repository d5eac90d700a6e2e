import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioInterval } from '@obscost/measure';
import { aaControl, calibrationBurnUs, calibrationControl } from '../src/control-figures.js';
import { unreliableReason } from '../src/assemble-report.js';
import { roundOrder } from '../src/scenarios/controls.js';
import { MAX_RERUNS, foreignShareOf, spoiled } from '../src/set-aside.js';
import { round } from './headline-round.js';

const SETTINGS = { confidence: 0.95, target: 0.03 };
const BASELINES = new Map([1, 2, 3, 4].map((n) => [n, round(n, [60, 62, 59, 61][n - 1] ?? 60)]));

test('the calibration cost: a tenth of the baseline app µs, rounded, at least 1', () => {
  assert.equal(calibrationBurnUs(64.4), 6);
  assert.equal(calibrationBurnUs(66), 7);
  assert.equal(calibrationBurnUs(3), 1);
});

test('the A/A control holds when every headline ratio contains 1', () => {
  const aa = aaControl(
    [round(1, 60.5), round(2, 61.5), round(3, 59.2), round(4, 60.8)],
    BASELINES,
    SETTINGS,
  );
  assert.equal(aa.holds, true);
  assert.equal(aa.app.rounds, 4);
  assert.equal(aa.rounds.length, 4);
  const off = aaControl(
    [round(1, 66), round(2, 68), round(3, 65), round(4, 67)],
    BASELINES,
    SETTINGS,
  );
  assert.equal(off.holds, false);
});

test('without a round beside its baseline, no control holds', () => {
  assert.equal(aaControl([], BASELINES, SETTINGS).holds, false);
  assert.equal(calibrationControl([], BASELINES, 6, SETTINGS).holds, false);
});

test('the calibration: its app µs against the baseline plus N; the extra µs measured', () => {
  const rounds = [round(1, 66.2), round(2, 67.9), round(3, 65.1), round(4, 67.0)];
  const calibration = calibrationControl(rounds, BASELINES, 6, SETTINGS);
  assert.deepEqual(
    calibration.ratio,
    ratioInterval([
      { subject: 66.2, reference: 66 },
      { subject: 67.9, reference: 68 },
      { subject: 65.1, reference: 65 },
      { subject: 67, reference: 67 },
    ]),
  );
  assert.equal(calibration.holds, true);
  assert.equal(calibration.burn_us, 6);
  // The median of 6.2, 5.9, 6.1, 6.0.
  assert.ok(Math.abs(calibration.extra_us - 6.05) < 1e-9);
  const unseen = calibrationControl([round(1, 60), round(2, 62)], BASELINES, 6, SETTINGS);
  assert.equal(unseen.holds, false);
});

test('the A/A right after the baseline in odd rounds and last in even ones', () => {
  const names = (round: number) =>
    roundOrder(
      [{ name: 'baseline' }, { name: 'sidecar' }, { name: 'ebpf-core' }],
      { aa: { name: 'baseline-aa' }, calibration: { name: 'calibration' } },
      round,
    ).map((s) => s.name);
  assert.deepEqual(names(1), ['baseline', 'baseline-aa', 'sidecar', 'ebpf-core', 'calibration']);
  assert.deepEqual(names(2), ['baseline', 'calibration', 'sidecar', 'ebpf-core', 'baseline-aa']);
  assert.deepEqual(
    roundOrder([{ name: 'baseline' }], undefined, 1).map((s) => s.name),
    ['baseline'],
  );
  // A named service has no calibration: the A/A control alone keeps its alternating place.
  const aaOnly = (round: number) =>
    roundOrder(
      [{ name: 'baseline' }, { name: 'bpftrace' }],
      { aa: { name: 'baseline-aa' } },
      round,
    ).map((s) => s.name);
  assert.deepEqual(aaOnly(1), ['baseline', 'baseline-aa', 'bpftrace']);
  assert.deepEqual(aaOnly(2), ['baseline', 'bpftrace', 'baseline-aa']);
});

test("a run is set aside when its foreign load passes the share of the app's CPUs", () => {
  const pinned = { app: [1], other: [0] };
  const result = (closed: number, open: number) => ({
    foreign: {
      closed: { app_cpus: closed, other_cpus: 0.5 },
      open: { app_cpus: open, other_cpus: 0.5 },
    },
  });
  assert.equal(spoiled(result(0.01, 0.05), pinned, 2, 0.05), undefined);
  assert.deepEqual(spoiled(result(0.01, 0.08), pinned, 2, 0.05), {
    foreign: 0.08,
    reason: "foreign load 0.080 of the app's CPUs in the open run, above --max-foreign 0.05",
  });
  // Two app CPUs: 0.08 CPUs of foreign load is 0.04 of them.
  assert.equal(spoiled(result(0.08, 0), { app: [2, 3], other: [0, 1] }, 4, 0.05), undefined);
  // Unpinned: the foreign load of every CPU, over every CPU.
  assert.equal(foreignShareOf({ app_cpus: 0, other_cpus: 0.5 }, { app: [], other: [] }, 4), 0.125);
  assert.equal(MAX_RERUNS, 2);
});

test('the report is unreliable when a control misses, or had too few rounds to check', () => {
  const rounds = [round(1, 60.5), round(2, 61.5), round(3, 59.2), round(4, 60.8)];
  const aa = aaControl(rounds, BASELINES, SETTINGS);
  const calibration = calibrationControl(
    [round(1, 66.2), round(2, 67.9), round(3, 65.1), round(4, 67.0)],
    BASELINES,
    6,
    SETTINGS,
  );
  assert.equal(unreliableReason(undefined), undefined);
  assert.equal(unreliableReason({ aa, calibration }), undefined);
  const missed = calibrationControl(rounds, BASELINES, 6, SETTINGS);
  assert.match(
    unreliableReason({ aa, calibration: missed }) ?? '',
    /^the calibration's known 6 µs a request was measured as 0\.0 µs, its interval not containing it: this run cannot be trusted$/,
  );
  const oneRound = aaControl([round(1, 60)], BASELINES, SETTINGS);
  assert.match(unreliableReason({ aa: oneRound, calibration }) ?? '', /fewer than 2 rounds/);
});
