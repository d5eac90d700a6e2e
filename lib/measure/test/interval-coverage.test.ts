import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioInterval, type RatioWithInterval } from '../src/interval.js';
import { median } from '../src/stats.js';
import { experiment, NOISES, seededUniform } from './synthetic-rounds.js';

const EXPERIMENTS = 4000;
const TRUE_RATIO = 1.1;
const ROUNDS = [2, 5, 10] as const;

function intervals(noiseName: string, rounds: number): RatioWithInterval[] {
  const noise = NOISES[noiseName];
  assert.ok(noise);
  const uniform = seededUniform(rounds * 7919 + noiseName.length);
  return Array.from({ length: EXPERIMENTS }, () => {
    const interval = ratioInterval(experiment(noise, uniform, rounds, TRUE_RATIO));
    assert.notEqual(interval.ci_low, null);
    return interval as RatioWithInterval;
  });
}

for (const noiseName of Object.keys(NOISES)) {
  test(
    `95% intervals cover the true ratio in at least 93% of experiments: ${noiseName}`,
    {
      timeout: 30_000,
    },
    (t) => {
      for (const rounds of ROUNDS) {
        const all = intervals(noiseName, rounds);
        const covered = all.filter((i) => i.ci_low <= TRUE_RATIO && TRUE_RATIO <= i.ci_high);
        const coverage = covered.length / all.length;
        t.diagnostic(`${rounds} rounds: coverage ${(coverage * 100).toFixed(1)}%`);
        assert.ok(coverage >= 0.93, `${rounds} rounds: coverage ${coverage}`);
      }
    },
  );
}

test(
  'intervals are as narrow as the noise allows: 10 rounds of CV 10% give ±15% at most',
  {
    timeout: 30_000,
  },
  (t) => {
    for (const noiseName of ['normal, CV 10%', 'log-normal, σ 0.1']) {
      const widths = intervals(noiseName, 10).map((i) => i.ci_high - i.ci_low);
      const medianWidth = median(widths);
      t.diagnostic(`${noiseName}: median width ${medianWidth.toFixed(3)} at 10 rounds`);
      assert.ok(medianWidth < 0.3, `${noiseName}: median width ${medianWidth}`);
    }
  },
);
