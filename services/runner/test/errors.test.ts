import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { documentedErrors, exitCodes } from '@obscost/errors';
import { ERRORS } from '../src/errors.js';

const page = readFileSync(
  path.resolve(import.meta.dirname, '../../../../docs/infrastructure.md'),
  'utf8',
);

test('every error code is documented in docs/infrastructure.md with its exit code, and only those', () => {
  assert.deepEqual(documentedErrors(page, 'RUN'), exitCodes(ERRORS));
});
