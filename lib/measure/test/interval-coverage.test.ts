import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intervalEnds, ratioInterval } from '../src/interval.js';
import { median } from '../src/stats.js';
import { experiment, NOISES, seededUniform } from './synthetic-rounds.js';

const EXPERIMENTS = 4000;
const TRUE_RATIO = 1.1;
const ROUNDS = [2, 5, 10] as const;

/** Each experiment's interval's ends: every one of them has two rounds or more. */
function intervals(noiseName: string, rounds: number): { low: number; high: number }[] {
  const noise = NOISES[noiseName];
  assert.ok(noise);
  const uniform = seededUniform(rounds * 7919 + noiseName.length);
  return Array.from({ length: EXPERIMENTS }, () => {
    const ends = intervalEnds(ratioInterval(experiment(noise, uniform, rounds, TRUE_RATIO)));
    assert.ok(ends);
    return ends;
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
        const covered = all.filter((i) => i.low <= TRUE_RATIO && TRUE_RATIO <= i.high);
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
      const widths = intervals(noiseName, 10).map((i) => i.high - i.low);
      const medianWidth = median(widths);
      t.diagnostic(`${noiseName}: median width ${medianWidth.toFixed(3)} at 10 rounds`);
      assert.ok(medianWidth < 0.3, `${noiseName}: median width ${medianWidth}`);
    }
  },
);
