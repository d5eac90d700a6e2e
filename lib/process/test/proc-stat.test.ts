import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alive, groupAlive, readProcStat, startChild, waitFor, which } from '../src/index.js';

test('/proc/PID/stat: the command name between the first ( and the last )', async (t) => {
  // The command name is the executed file's, parentheses, spaces and all: one that would
  // fool a split at the first ') '.
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-stat-'));
  const odd = path.join(dir, 'a) S 1 (b');
  symlinkSync(which('sleep') ?? '/bin/sleep', odd);
  const sleeper = startChild(odd, ['60']);
  t.after(async () => {
    await sleeper.stop(100);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor('the sleeper', () => readProcStat(sleeper.pid ?? 0) !== undefined);
  const stat = readProcStat(sleeper.pid ?? 0);
  assert.ok(stat !== undefined);
  assert.equal(stat.command, 'a) S 1 (b');
  assert.match(stat.state, /^[RS]$/);
  assert.equal(stat.processGroup, readProcStat(process.pid)?.processGroup);
  assert.equal(stat.parentPid, process.pid);
  assert.ok(Number.isInteger(stat.userTicks) && Number.isInteger(stat.systemTicks));
  assert.equal(readProcStat(2 ** 22 + 1), undefined, 'beyond pid_max: no such process');
});

test(
  'a zombie is not a live process, nor keeps its group alive',
  { timeout: 30_000 },
  async (t) => {
    // The background child exits after its parent became `sleep`, which never reaps it.
    const shell = startChild('sh', ['-c', '(sleep 0.2) & echo "child $!"; exec sleep 60'], {
      group: true,
    });
    t.after(() => shell.stop(100));
    const [, pid] = await shell.waitForOutput(/child (\d+)/, 'the child');
    const child = Number(pid);
    await waitFor('the child to be a zombie', () => readProcStat(child)?.state === 'Z', 5_000);
    assert.equal(alive(child), false);
    assert.equal(groupAlive(shell.pid ?? 0), true, 'sleep still runs');
    shell.process.kill('SIGKILL');
    await shell.exited;
    // The orphaned zombie waits for PID 1 to reap it, however long that takes here.
    assert.equal(groupAlive(shell.pid ?? 0), false);
  },
);

test('a process whose main thread exited while another runs is alive until that one ends', (t) => {
  const proc = mkdtempSync(path.join(tmpdir(), 'obscost-proc-'));
  t.after(() => {
    rmSync(proc, { recursive: true, force: true });
  });
  const stat = (state: string): string => `4242 (java) ${state} 1 4242 4242 0 -1 0 0 0 0 0 5 3 0`;
  const thread = (tid: number, state: string): void => {
    mkdirSync(path.join(proc, '4242/task', String(tid)), { recursive: true });
    writeFileSync(path.join(proc, '4242/task', String(tid), 'stat'), stat(state));
  };
  thread(4242, 'Z');
  writeFileSync(path.join(proc, '4242/stat'), stat('Z'));
  thread(4250, 'S');
  assert.equal(alive(4242, proc), true, 'a thread still runs: the process holds its sockets');
  thread(4250, 'Z');
  assert.equal(alive(4242, proc), false);
});
