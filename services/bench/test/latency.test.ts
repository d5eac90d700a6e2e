import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyRecorder } from '../src/latency.js';

test('percentiles of 1..1000 ms are within HDR precision of the exact ranks', () => {
  const recorder = new LatencyRecorder();
  for (let ms = 1; ms <= 1000; ms++) recorder.recordMs(ms);
  const summary = recorder.summary();
  assert.equal(recorder.count, 1000);
  const near = (actual: number, expected: number): void => {
    assert.ok(Math.abs(actual - expected) <= expected * 0.001, `${actual} vs ${expected}`);
  };
  near(summary.p50, 500);
  near(summary.p90, 900);
  near(summary.p99, 990);
  near(summary.p999, 999);
  near(summary.max, 1000);
  near(summary.mean, 500.5);
});

test('microsecond resolution, and no percentile above the maximum', () => {
  const recorder = new LatencyRecorder();
  recorder.recordMs(0.25);
  recorder.recordMs(0.0001);
  const summary = recorder.summary();
  assert.equal(summary.max, 0.25);
  assert.equal(summary.p999, 0.25);
  assert.equal(summary.p50, 0.001);
});

test('an empty recorder reports zeros', () => {
  assert.deepEqual(new LatencyRecorder().summary(), {
    p50: 0,
    p90: 0,
    p99: 0,
    p999: 0,
    mean: 0,
    max: 0,
  });
});

test('the percentile curve rises to the maximum, sampled densely in the tail', () => {
  const recorder = new LatencyRecorder();
  for (let ms = 1; ms <= 1000; ms++) recorder.recordMs(ms);
  const curve = recorder.distribution();
  assert.deepEqual(
    curve.map((p) => p.percentile),
    [0, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100],
  );
  assert.equal(curve.at(-1)?.ms, 1000);
  assert.ok(curve.every((p, i) => i === 0 || p.ms >= (curve[i - 1]?.ms ?? 0)));
  assert.deepEqual(new LatencyRecorder().distribution(), []);
});

test("a histogram handed over as text adds its records to the receiver's", () => {
  const worker = new LatencyRecorder();
  for (let ms = 1; ms <= 100; ms++) worker.recordMs(ms / 1000);
  const main = new LatencyRecorder();
  main.addEncoded(worker.encode());
  assert.equal(main.count, 100);
  assert.deepEqual(main.summary(), worker.summary());
  main.addEncoded(new LatencyRecorder().encode());
  assert.equal(main.count, 100, 'an empty histogram adds nothing');
});
