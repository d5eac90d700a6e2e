import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, median, sampleVariance, squaredDeviations } from '../src/stats.js';

test('median of odd and even counts, unsorted input left alone', () => {
  const values = [5, 1, 3];
  assert.equal(median(values), 3);
  assert.deepEqual(values, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), /median of no values/);
});

test('mean, squared deviations and the sample variance, exact on small lists', () => {
  assert.equal(mean([2, 4, 9]), 5);
  assert.throws(() => mean([]), /mean of no values/);
  assert.equal(squaredDeviations([2, 4, 9]), 9 + 1 + 16);
  assert.equal(squaredDeviations([]), 0);
  assert.equal(sampleVariance([2, 4, 9]), 13);
  assert.throws(() => sampleVariance([1]), /at least two values/);
});
