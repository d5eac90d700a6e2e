import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { DEFAULT_MARKER_LIBRARY } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { loadMarker } from '../src/marker.js';

/** The first instruction of `symbol` in the built library, as objdump writes it. */
function firstInstruction(symbol: string): string {
  const disassembly = execFileSync('objdump', ['-d', '--section=.text', DEFAULT_MARKER_LIBRARY], {
    encoding: 'utf8',
  });
  const body = disassembly
    .split(/\n(?=[0-9a-f]+ <)/)
    .find((part) => part.includes(` <${symbol}>:`));
  assert.ok(body, `${symbol} is in the library`);
  return body.split('\n')[1] ?? '';
}

test('app_write starts with the 5-byte NOP that lets the kernel optimize its uprobe', () => {
  assert.match(firstInstruction('app_write'), /:\s+0f 1f 44 00 00\s+nopl\s+0x0\(%rax,%rax,1\)/);
});

test('app_write_plain starts with an ordinary instruction, no nop5: its uprobe is a breakpoint', () => {
  const first = firstInstruction('app_write_plain');
  assert.match(first, /:\s+48 89 f8\s+mov\s+%rdi,%rax/);
  assert.doesNotMatch(first, /0f 1f 44 00 00/);
});

test('both entries are exported and callable through koffi', () => {
  const symbols = execFileSync('nm', ['-D', '--defined-only', DEFAULT_MARKER_LIBRARY], {
    encoding: 'utf8',
  });
  assert.match(symbols, /^[0-9a-f]+ T app_write$/m);
  assert.match(symbols, /^[0-9a-f]+ T app_write_plain$/m);
  for (const symbol of ['app_write', 'app_write_plain'] as const) {
    const marker = loadMarker(DEFAULT_MARKER_LIBRARY, symbol);
    assert.doesNotThrow(() => {
      marker(153);
      marker(2 ** 40);
    });
  }
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
