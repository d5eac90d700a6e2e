import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intervalEnds, ratioInterval } from '../src/interval.js';

function assertClose(actual: number | null, expected: number): void {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= 1e-9 * expected,
    `${actual} ≠ ${expected}`,
  );
}

test('two rounds: the geometric mean and an exact t interval with one degree of freedom', () => {
  // Log-ratios ±ln 2: mean 0, standard error ln 2, t(0.975, 1) = tan(0.475π).
  const interval = ratioInterval([
    { subject: 200, reference: 100 },
    { subject: 50, reference: 100 },
  ]);
  const t = Math.tan(0.475 * Math.PI);
  assertClose(interval.estimate, 1);
  assertClose(interval.ci_low, 2 ** -t);
  assertClose(interval.ci_high, 2 ** t);
  assert.equal(interval.confidence, 0.95);
  assert.equal(interval.rounds, 2);
});

test('three rounds: log-ratios 0.1, 0.2, 0.3 give exp(0.2 ± t(2)·0.1/√3)', () => {
  const interval = ratioInterval(
    [0.1, 0.2, 0.3].map((log, round) => ({
      subject: (round + 1) * 50 * Math.exp(log),
      reference: (round + 1) * 50,
    })),
    { confidence: 0.95 },
  );
  const margin = (4.302652729911275 * 0.1) / Math.sqrt(3);
  assertClose(interval.estimate, Math.exp(0.2));
  assertClose(interval.ci_low, Math.exp(0.2 - margin));
  assertClose(interval.ci_high, Math.exp(0.2 + margin));
});

test('identical rounds: a zero-width interval at the ratio', () => {
  const interval = ratioInterval(Array(5).fill({ subject: 66, reference: 60 }));
  assertClose(interval.estimate, 1.1);
  assertClose(interval.ci_low, 1.1);
  assertClose(interval.ci_high, 1.1);
});

test('one round: the ratio, and no interval', () => {
  const oneRound = ratioInterval([{ subject: 75, reference: 60 }], { confidence: 0.9 });
  assert.deepEqual(oneRound, {
    estimate: 1.25,
    ci_low: null,
    ci_high: null,
    confidence: 0.9,
    rounds: 1,
  });
  assert.equal(intervalEnds(oneRound), undefined);
  assert.deepEqual(intervalEnds({ ...oneRound, ci_low: 1, ci_high: 2, rounds: 2 }), {
    low: 1,
    high: 2,
  });
});

test('a higher confidence gives a wider interval around the same estimate', () => {
  const pairs = [
    { subject: 64, reference: 60 },
    { subject: 70, reference: 61 },
    { subject: 66, reference: 63 },
    { subject: 69, reference: 59 },
  ];
  const narrow = ratioInterval(pairs, { confidence: 0.8 });
  const wide = ratioInterval(pairs, { confidence: 0.99 });
  assert.equal(narrow.estimate, wide.estimate);
  const [wideEnds, narrowEnds] = [intervalEnds(wide), intervalEnds(narrow)];
  assert.ok(wideEnds && narrowEnds);
  assert.ok(wideEnds.low < narrowEnds.low && wideEnds.high > narrowEnds.high);
});

test('refuses no rounds, a figure that is not positive and finite, and a bad confidence', () => {
  assert.throws(() => ratioInterval([]), /at least one round/);
  for (const [subject, reference] of [
    [0, 60],
    [60, 0],
    [-1, 60],
    [Number.NaN, 60],
    [60, Number.POSITIVE_INFINITY],
  ] as const) {
    assert.throws(
      () =>
        ratioInterval([
          { subject: 1, reference: 1 },
          { subject, reference },
        ]),
      /round 2: a ratio needs two positive finite figures/,
    );
  }
  assert.throws(
    () => ratioInterval([{ subject: 1, reference: 1 }], { confidence: 1 }),
    /confidence/,
  );
});
