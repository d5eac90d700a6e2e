import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  durationRule,
  formatDuration,
  parseDuration,
  positiveIntegerRule,
  SettingError,
} from '../src/index.js';

test('parseDuration reads Go durations in milliseconds', () => {
  assert.equal(parseDuration('20s'), 20_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('250us'), 0.25);
  assert.equal(parseDuration('0s'), 0);
});

test('parseDuration refuses what Go refuses', () => {
  for (const bad of ['', '20', 's', '20x', '1m 30s', '-5s', '5s!', 'abc']) {
    assert.throws(() => parseDuration(bad), /invalid duration/, bad);
  }
});

test('formatDuration round-trips through parseDuration', () => {
  for (const ms of [500, 1000, 20_000, 90_000, 3_600_000, 3_661_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
  assert.equal(formatDuration(90_000), '1m30s');
});

test('durationRule reads a duration longer than zero, 0s only when allowed', () => {
  assert.equal(durationRule('-dur', '1m30s'), 90_000);
  assert.equal(durationRule('--settle', '0s', { zero: true }), 0);
  assert.throws(
    () => durationRule('-dur', '0s'),
    new SettingError('-dur must be longer than zero, got 0s'),
  );
  assert.throws(
    () => durationRule('-dur', '20'),
    new SettingError(
      '-dur: invalid duration "20": use a number with a unit, e.g. 500ms, 20s, 1m30s',
    ),
  );
});

test('positiveIntegerRule reads a count of at least one', () => {
  assert.equal(positiveIntegerRule('-conns', '64'), 64);
  for (const bad of ['0', '-1', '1.5', '', 'x', String(2 ** 53)]) {
    assert.throws(
      () => positiveIntegerRule('-conns', bad),
      new SettingError(`-conns must be a positive integer, got ${JSON.stringify(bad)}`),
      bad,
    );
  }
});
