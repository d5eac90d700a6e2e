import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { which } from '../src/index.js';

test('which finds a command on PATH, and nothing for one that is not', () => {
  const sh = which('sh');
  assert.ok(sh !== undefined && sh.endsWith('/sh'), sh);
  assert.equal(which(sh), sh, 'a path is that file');
  assert.equal(which('no-such-command-obscost'), undefined);
  assert.equal(which(fileURLToPath(import.meta.url)), undefined, 'this test is not executable');
});
