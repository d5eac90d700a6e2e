import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  alive,
  groupAlive,
  runToEnd,
  startChild,
  startDetached,
  stopPid,
  waitFor,
} from '../src/index.js';

test(
  'a child is waited for by its output and stopped with its group',
  { timeout: 30_000 },
  async (t) => {
    const shell = startChild(
      'sh',
      ['-c', 'sleep 60 & echo "grandchild $!"; echo ready on http://x:1; wait'],
      { group: true },
    );
    t.after(() => shell.stop(1000));
    const [, url] = await shell.waitForOutput(/ready on (\S+)/, 'the shell to be ready');
    assert.equal(url, 'http://x:1');
    const grandchild = Number(/grandchild (\d+)/.exec(shell.output())?.[1]);
    assert.ok(alive(grandchild));
    assert.equal(await shell.stop(), null);
    await waitFor('the grandchild to go with its group', () => !alive(grandchild), 5000);
  },
);

test(
  'a child that exits before printing fails the wait at once, with its output',
  { timeout: 30_000 },
  async () => {
    const child = startChild('sh', ['-c', 'echo oops >&2; exit 3']);
    await assert.rejects(
      child.waitForOutput(/never/, 'the line'),
      /exited with code 3 before the line: oops/,
    );
  },
);

test('SIGKILL follows SIGTERM after the grace period', { timeout: 30_000 }, async (t) => {
  const stubborn = startChild('sh', [
    '-c',
    "trap '' TERM; echo armed; while :; do sleep 0.1; done",
  ]);
  t.after(() => stubborn.stop(100));
  await stubborn.waitForOutput(/armed/, 'the trap');
  assert.equal(await stubborn.stop(200), null);
  assert.equal(stubborn.process.signalCode, 'SIGKILL');
});

test('runToEnd collects both streams and the exit code', { timeout: 30_000 }, async () => {
  assert.deepEqual(await runToEnd('sh', ['-c', 'echo out; echo err >&2; exit 4']), {
    code: 4,
    stdout: 'out\n',
    stderr: 'err\n',
  });
});

test('waitFor names what it waited for', { timeout: 30_000 }, async () => {
  await assert.rejects(
    waitFor('Godot', () => false, 50),
    /timed out after 50 ms waiting for Godot/,
  );
});

test(
  'a detached process writes to its log and is stopped by pid',
  { timeout: 30_000 },
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-process-'));
    const logFile = path.join(dir, 'x.log');
    const pid = startDetached('sh', ['-c', 'echo "started $X"; sleep 60'], {
      env: { X: 'here' },
      logFile,
    });
    t.after(async () => {
      await stopPid(pid, 100, true);
      rmSync(dir, { recursive: true, force: true });
    });
    await waitFor('the line in the log', () => readFileSync(logFile, 'utf8') === 'started here\n');
    await stopPid(pid, 1000, true);
    assert.equal(alive(pid), false);
  },
);

test(
  'stop takes the whole group, even a grandchild that ignores SIGTERM',
  { timeout: 30_000 },
  async (t) => {
    const shell = startChild(
      'sh',
      ['-c', `sh -c "trap '' TERM; echo armed; while :; do sleep 0.1; done" & wait`],
      { group: true },
    );
    t.after(() => shell.stop(100));
    await shell.waitForOutput(/armed/, 'the stubborn grandchild');
    await shell.stop(300);
    // Stopped means no live process left. The orphaned grandchild's zombie may remain: PID 1
    // reaps it in its own time, which differs between machines.
    await waitFor('no live process of the group left', () => !groupAlive(shell.pid ?? 0), 2_000);
  },
);

test(
  'runToEnd fails naming a run past its timeout, and takes its group along',
  { timeout: 30_000 },
  async () => {
    const started = Date.now();
    await assert.rejects(
      runToEnd('sh', ['-c', 'sleep 30 & sleep 30; true'], { timeoutMs: 300 }),
      /sh -c sleep 30 & sleep 30; true timed out after 300 ms/,
    );
    assert.ok(Date.now() - started < 5_000, 'the pipes held by the grandchild did not keep it');
  },
);

test('waitFor gives up at its deadline even while a check hangs', { timeout: 30_000 }, async () => {
  const started = Date.now();
  await assert.rejects(
    waitFor('an answer', () => new Promise<boolean>(() => undefined), 100),
    /timed out after 100 ms waiting for an answer/,
  );
  assert.ok(Date.now() - started < 2_000);
});

test(
  'waitForPort sees the child listen, and fails at once when it exits',
  { timeout: 30_000 },
  async (t) => {
    const port = await freePort();
    const server = startChild(process.execPath, [
      '-e',
      `require('net').createServer().listen(${port}, '127.0.0.1')`,
    ]);
    t.after(() => server.stop(1000));
    await server.waitForPort(port, 'the server to listen');
    const quitter = startChild('sh', ['-c', 'exit 0']);
    await assert.rejects(quitter.waitForPort(await freePort(), 'never'), /exited before never/);
  },
);

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
