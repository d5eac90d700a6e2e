import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { documentedCodes } from '@obscost/errors';
import { markdownTableRows } from '@obscost/flags';
import { ERRORS } from '../src/errors.js';

const PAGE = path.resolve(import.meta.dirname, '../../../../docs/observer.md');

test('every error code is documented in docs/observer.md, and only those', () => {
  const page = readFileSync(PAGE, 'utf8');
  assert.deepEqual(documentedCodes(page, 'OBS'), Object.keys(ERRORS).sort());
});

test("the documented exit codes are the catalogue's", () => {
  const rows = markdownTableRows(readFileSync(PAGE, 'utf8'), ['code', 'exit', 'when']).slice(1);
  assert.deepEqual(
    Object.fromEntries(rows.map(([code = '', exit = '']) => [code.replaceAll('`', ''), exit])),
    Object.fromEntries(Object.entries(ERRORS).map(([code, spec]) => [code, String(spec.exitCode)])),
  );
});
