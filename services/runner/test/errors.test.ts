import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { documentedCodes } from '@obscost/errors';
import { ERRORS } from '../src/errors.js';

const page = readFileSync(
  path.resolve(import.meta.dirname, '../../../../docs/infrastructure.md'),
  'utf8',
);

test('every error code is documented in docs/infrastructure.md, and only those', () => {
  assert.deepEqual(documentedCodes(page, 'RUN'), Object.keys(ERRORS).sort());
});

test('the documented exit codes are the catalogue exit codes', () => {
  for (const [code, spec] of Object.entries(ERRORS)) {
    const row = new RegExp(`^\\| \`${code}\` *\\| *(\\d+) *\\|`, 'm').exec(page);
    assert.equal(Number(row?.[1]), spec.exitCode, code);
  }
});
