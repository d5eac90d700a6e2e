import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { documentedErrors, exitCodes, isRetriable } from '@obscost/errors';
import { AggregatorError, ERRORS } from '../src/errors.js';

const page = readFileSync(
  path.resolve(import.meta.dirname, '../../../../docs/aggregator.md'),
  'utf8',
);

test('every error code is documented in docs/aggregator.md with its exit code, and only those', () => {
  assert.deepEqual(documentedErrors(page, 'AGG'), exitCodes(ERRORS));
});

test('usage errors exit 2, the others 1; only a missing connection or topic is worth a retry', () => {
  for (const code of Object.keys(ERRORS) as (keyof typeof ERRORS)[]) {
    const err = new AggregatorError(code, 'x');
    assert.equal(err.exitCode, code === 'AGG_USAGE' ? 2 : 1, code);
    assert.equal(isRetriable(err), code === 'AGG_NOT_CONNECTED' || code === 'AGG_NO_TOPIC', code);
  }
});
