import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { DEFAULT_MARKER_LIBRARY } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { loadMarker } from '../src/marker.js';

test('app_write starts with the 5-byte NOP that lets the kernel optimize its uprobe', () => {
  const disassembly = execFileSync('objdump', ['-d', '--section=.text', DEFAULT_MARKER_LIBRARY], {
    encoding: 'utf8',
  });
  const body = disassembly
    .split(/\n(?=[0-9a-f]+ <)/)
    .find((part) => /^[0-9a-f]+ <app_write>:/.test(part));
  assert.ok(body, 'app_write is in the library');
  const first = body.split('\n')[1] ?? '';
  assert.match(first, /:\s+0f 1f 44 00 00\s+nopl\s+0x0\(%rax,%rax,1\)/);
});

test('app_write is exported and callable through koffi', () => {
  const symbols = execFileSync('nm', ['-D', '--defined-only', DEFAULT_MARKER_LIBRARY], {
    encoding: 'utf8',
  });
  assert.match(symbols, /^[0-9a-f]+ T app_write$/m);
  const appWrite = loadMarker(DEFAULT_MARKER_LIBRARY);
  assert.doesNotThrow(() => {
    appWrite(153);
    appWrite(2 ** 40);
  });
});

test('a missing library is a clear error', () => {
  assert.throws(
    () => loadMarker('/nonexistent/libappmarker.so'),
    (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'APP_MARKER_LIBRARY');
      assert.match(err.message, /cannot load the marker library \/nonexistent\/libappmarker\.so/);
      return true;
    },
  );
});
