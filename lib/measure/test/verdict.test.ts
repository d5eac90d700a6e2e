import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioInterval, type RatioInterval } from '../src/interval.js';
import {
  controlHolds,
  costVerdict,
  halfWidth,
  intervalCovers,
  preciseEnough,
} from '../src/verdict.js';

function interval(ci_low: number, estimate: number, ci_high: number): RatioInterval {
  return { estimate, ci_low, ci_high, confidence: 0.95, rounds: 5 };
}
const oneRound: RatioInterval = {
  estimate: 1.2,
  ci_low: null,
  ci_high: null,
  confidence: 0.95,
  rounds: 1,
};

test('cost when even the low end is above 1', () => {
  assert.equal(costVerdict(interval(1.01, 1.08, 1.15)), 'cost');
  assert.equal(costVerdict(interval(1, 1.08, 1.15)), 'inconclusive');
});

test('no cost measurable above the high end when it is within the tolerance', () => {
  assert.equal(costVerdict(interval(0.98, 1.0, 1.03)), 'no-cost-above');
  assert.equal(costVerdict(interval(0.9, 0.93, 0.96)), 'no-cost-above');
  assert.equal(costVerdict(interval(0.98, 1.0, 1.031)), 'inconclusive');
  assert.equal(costVerdict(interval(0.98, 1.0, 1.05), { tolerance: 0.05 }), 'no-cost-above');
});

test('inconclusive when the interval is too wide either way, and for one round', () => {
  assert.equal(costVerdict(interval(0.8, 1.1, 1.4)), 'inconclusive');
  assert.equal(costVerdict(oneRound), 'inconclusive');
});

test('an A/A control holds when its interval contains 1; a calibration when it contains the expected ratio', () => {
  assert.equal(controlHolds(interval(0.99, 1.0, 1.01)), true);
  assert.equal(controlHolds(interval(1, 1.01, 1.02)), true);
  assert.equal(controlHolds(interval(1.001, 1.01, 1.02)), false);
  assert.equal(controlHolds(interval(0.97, 0.98, 0.99)), false);
  assert.equal(controlHolds(oneRound), false);
  assert.equal(intervalCovers(interval(1.05, 1.1, 1.16), 1.1), true);
  assert.equal(intervalCovers(interval(1.05, 1.1, 1.16), 1.17), false);
});

test('half-width: the farther end from the estimate; precise enough against ±3 points by default', () => {
  assert.ok(Math.abs(halfWidth(interval(0.98, 1.0, 1.025)) - 0.025) < 1e-12);
  assert.ok(Math.abs(halfWidth(interval(0.96, 1.0, 1.02)) - 0.04) < 1e-12);
  assert.equal(halfWidth(oneRound), Number.POSITIVE_INFINITY);
  assert.equal(preciseEnough(interval(0.98, 1.0, 1.025)), true);
  assert.equal(preciseEnough(interval(0.96, 1.0, 1.02)), false);
  assert.equal(preciseEnough(interval(0.96, 1.0, 1.02), { target: 0.05 }), true);
  assert.equal(preciseEnough(oneRound), false);
});

test('a calibration holds when the burning app costs the baseline plus N, and fails when it does not', () => {
  const baseline = [64.0, 72.3, 69.8, 78.5, 66.1];
  const noise = [1.01, 0.99, 1.02, 0.98, 1.0];
  const burnUs = 7;
  const calibration = (extraUs: number): RatioInterval =>
    ratioInterval(
      baseline.map((reference, round) => ({
        subject: (reference + extraUs) * (noise[round] ?? 1),
        reference: reference + burnUs,
      })),
    );
  assert.equal(controlHolds(calibration(burnUs)), true);
  assert.equal(controlHolds(calibration(0)), false);
  assert.equal(controlHolds(calibration(2 * burnUs)), false);
});
