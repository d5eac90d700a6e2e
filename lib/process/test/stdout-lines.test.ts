import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alive, stdoutLines } from '../src/index.js';

test('stdoutLines yields each line of stdout as it comes', { timeout: 30_000 }, async () => {
  const lines: string[] = [];
  for await (const line of stdoutLines('sh', [
    '-c',
    'echo one; echo err >&2; printf "two\\n\\nthree"',
  ])) {
    lines.push(line);
  }
  assert.deepEqual(lines, ['one', 'two', '', 'three']);
});

test('stdoutLines fails after the lines when the command fails', { timeout: 30_000 }, async () => {
  const lines: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const line of stdoutLines('sh', ['-c', 'echo partial; echo broken >&2; exit 3'])) {
        lines.push(line);
      }
    })(),
    /sh -c .* exited with 3: broken/,
  );
  assert.deepEqual(lines, ['partial']);
  await assert.rejects(
    (async () => {
      for await (const line of stdoutLines('no-such-command-obscost', [])) lines.push(line);
    })(),
    /ENOENT/,
  );
});

test('a reader that stops early stops the command', { timeout: 30_000 }, async () => {
  let pid = 0;
  for await (const line of stdoutLines('sh', ['-c', 'echo $$; exec sleep 60'])) {
    pid = Number(line);
    break;
  }
  assert.ok(pid > 0);
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(pid), false);
});
