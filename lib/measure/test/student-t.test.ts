import assert from 'node:assert/strict';
import { test } from 'node:test';
import { studentTCritical } from '../src/student-t.js';

function assertClose(actual: number, expected: number, tolerance: number): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not ${expected} ± ${tolerance}`,
  );
}

test('two-sided critical values match the tables', () => {
  // Checked against @stdlib/stats-base-dists-t-quantile(0.975, df), to the last digits.
  assertClose(studentTCritical(0.95, 1), 12.706204736174694, 1e-10);
  assertClose(studentTCritical(0.95, 4), 2.776445105197794, 1e-12);
  assertClose(studentTCritical(0.95, 9), 2.262157162798205, 1e-12);
  // Printed tables, six decimals.
  assertClose(studentTCritical(0.95, 2), 4.302653, 1e-6);
  assertClose(studentTCritical(0.9, 5), 2.015048, 1e-6);
  assertClose(studentTCritical(0.99, 10), 3.169273, 1e-6);
  assertClose(studentTCritical(0.95, 10_000), 1.960201, 1e-6);
});

test('one degree of freedom is the Cauchy quantile, exactly', () => {
  for (const confidence of [0.5, 0.8, 0.95]) {
    assertClose(studentTCritical(confidence, 1), Math.tan((Math.PI * confidence) / 2), 1e-9);
  }
});

test('refuses a confidence outside (0, 1) and a degrees of freedom that is not a positive integer', () => {
  for (const confidence of [0, 1, -0.5, Number.NaN]) {
    assert.throws(() => studentTCritical(confidence, 3), /confidence must be between 0 and 1/);
  }
  for (const degrees of [0, -1, 2.5, Number.NaN]) {
    assert.throws(() => studentTCritical(0.95, degrees), /positive integer/);
  }
});
