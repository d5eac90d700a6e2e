import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RoundResult } from '@obscost/report';
import { atProductionRate } from '../src/production-rate.js';
import { round } from './headline-round.js';

const SETTINGS = { confidence: 0.95, target: 0.03 };

/** A round of a scenario with these components' µs a request. */
function withComponents(n: number, components: Record<string, number>): RoundResult {
  const app = components['app'] ?? 0;
  return { ...round(n, app), components_us_per_request: components };
}

const near = (actual: number | null, expected: number, what: string) => {
  assert.ok(
    actual !== null && Math.abs(actual - expected) < 1e-9,
    `${what}: ${actual} ≠ ${expected}`,
  );
};

test('at a production rate: host cores are the extra over the baseline app, pipeline cores all its own', () => {
  // Baseline app 50 µs a request in every round; the scenario's app 55, its observer 5 (host:
  // 60, 1.2 of the baseline), its aggregator 10 and Kafka 15 (pipeline: 25, 0.5 of it).
  const baselines = new Map([1, 2, 3].map((n) => [n, withComponents(n, { app: 50 })]));
  const rounds = [1, 2, 3].map((n) =>
    withComponents(n, { app: 55, observer: 5, aggregator: 10, kafka: 15 }),
  );
  const at = atProductionRate(rounds, baselines, 10_000, SETTINGS);
  assert.ok(at);
  // 10,000 req/s × 50 µs = 0.5 cores a baseline; 0.2 of it more on the host, 0.5 of it off.
  near(at.host_cores.estimate, 0.1, 'host');
  near(at.host_cores.ci_low, 0.1, 'no spread: the ends are the estimate');
  near(at.pipeline_cores?.estimate ?? null, 0.25, 'pipeline');
  assert.equal(at.host_cores.rounds, 3);
});

test('at a production rate: no pipeline, no pipeline figure; the interval follows the ratio', () => {
  const baselines = new Map([1, 2, 3, 4].map((n) => [n, withComponents(n, { app: 40 })]));
  const rounds = [44, 40, 48, 44].map((app, i) => withComponents(i + 1, { app, bpftrace: 2 }));
  const at = atProductionRate(rounds, baselines, 1_000_000, SETTINGS);
  assert.ok(at);
  assert.equal(at.pipeline_cores, undefined);
  // The host ratios 1.15, 1.05, 1.25, 1.15 of 40 µs at a million req/s: 40 cores a ratio.
  const low = at.host_cores.ci_low ?? Number.NaN;
  const high = at.host_cores.ci_high ?? Number.NaN;
  assert.ok(low < at.host_cores.estimate && at.host_cores.estimate < high);
  assert.ok(at.host_cores.estimate > 0.14 * 40 && at.host_cores.estimate < 0.16 * 40);
});

test('at a production rate: rounds without components (older reports) give no figure', () => {
  const baselines = new Map([[1, round(1, 50)]]);
  assert.equal(atProductionRate([round(1, 60)], baselines, 1000, SETTINGS), undefined);
});
