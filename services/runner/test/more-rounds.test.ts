import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Interval } from '@obscost/report';
import {
  anotherRound,
  describeProgress,
  headlineIntervals,
  notPrecise,
  widestHalfWidth,
} from '../src/more-rounds.js';

const PLAN = { fixed: undefined, minRounds: 5, target: 0.03, budgetMs: 600_000 };

const interval = (estimate: number, half: number): Interval => ({
  estimate,
  ci_low: estimate - half,
  ci_high: estimate + half,
  confidence: 0.95,
  rounds: 5,
});

test('--repeat K runs exactly K rounds, whatever the intervals and the budget', () => {
  const plan = { ...PLAN, fixed: 2 };
  assert.equal(anotherRound(plan, { done: 1, elapsedMs: 1e9, widest: 0 }), true);
  assert.equal(anotherRound(plan, { done: 2, elapsedMs: 0, widest: Infinity }), false);
});

test('the minimum rounds always run, even precise or past the budget', () => {
  assert.equal(anotherRound(PLAN, { done: 4, elapsedMs: 1e9, widest: 0.001 }), true);
});

test('after the minimum: more while an interval is too wide and a round fits the budget', () => {
  // 5 rounds in 250 s: 50 s a round; the next ends at 300 s, within 600 s.
  assert.equal(anotherRound(PLAN, { done: 5, elapsedMs: 250_000, widest: 0.05 }), true);
  assert.equal(anotherRound(PLAN, { done: 5, elapsedMs: 250_000, widest: 0.03 }), false);
  // 11 rounds in 550 s: the next would end at 600 s, just within; at 560 s it would not.
  assert.equal(anotherRound(PLAN, { done: 11, elapsedMs: 550_000, widest: 0.05 }), true);
  assert.equal(anotherRound(PLAN, { done: 11, elapsedMs: 560_000, widest: 0.05 }), false);
});

test('the headline intervals by name; the widest; those not within the target', () => {
  const overhead = {
    app: { ...interval(1.1, 0.02), verdict: 'cost' as const },
    total: { ...interval(1.3, 0.05), verdict: 'cost' as const },
    neighbours: { ...interval(1, 0.01), verdict: 'no-cost-above' as const },
    p99: { ...interval(2, 1), verdict: 'inconclusive' as const },
  };
  const intervals = headlineIntervals([{ name: 'baseline' }, { name: 'sidecar', overhead }]);
  assert.deepEqual(
    intervals.map((i) => i.name),
    ['sidecar app', 'sidecar total', 'sidecar neighbours'],
  );
  assert.ok(Math.abs((widestHalfWidth(intervals) ?? 0) - 0.05) < 1e-12);
  assert.deepEqual(notPrecise(intervals, 0.03), ['sidecar total']);
  assert.equal(widestHalfWidth([]), undefined);
  const oneRound: Interval = {
    estimate: 1,
    ci_low: null,
    ci_high: null,
    confidence: 0.95,
    rounds: 1,
  };
  assert.deepEqual(notPrecise([{ name: 'x app', interval: oneRound }], 0.03), ['x app']);
});

test('the baseline alone: no ratio, so no width is said and no round is added', () => {
  assert.equal(widestHalfWidth(headlineIntervals([{ name: 'baseline' }])), undefined);
  assert.equal(anotherRound(PLAN, { done: 4, elapsedMs: 0, widest: undefined }), true);
  assert.equal(anotherRound(PLAN, { done: 5, elapsedMs: 0, widest: undefined }), false);
  assert.equal(describeProgress(undefined, 42_400), '42 s of budget left');
  assert.equal(describeProgress(undefined, undefined), '');
  assert.equal(describeProgress(0.0412, undefined), 'widest ±4.1%');
  assert.equal(describeProgress(Infinity, 600_000), 'widest no interval yet, 600 s of budget left');
});
