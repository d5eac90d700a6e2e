import assert from 'node:assert/strict';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readProcStat } from '@obscost/process';
import { WRITE_LOOP } from './observer-support.js';
import {
  OBSERVER_MAIN,
  run,
  runBench,
  scrape,
  seriesValue,
  startApp,
  startChild,
  startObserver,
  waitFor,
} from './support.js';

// Which processes the observer follows: by name, past its limit, by user, through a pid file.

/**
 * Whether the loop runs the loop's binary: spawned is not enough, the observer resolves targets
 * by name at its start, and a child (setpriv's above all) bears another name until it execs.
 */
const running = (loop: ReturnType<typeof startChild>): boolean =>
  loop.pid !== undefined && readProcStat(loop.pid)?.command === 'write-loop';

test('--comm: two targets through the map, then one alone by the compare, every write counted', async (t) => {
  const writes = 20_000;
  const loops: ReturnType<typeof startChild>[] = [];
  const startLoop = () => {
    const loop = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
    loops.push(loop);
    return loop;
  };
  t.after(() => Promise.all(loops.map((loop) => loop.stop())));
  const both = [startLoop(), startLoop()];
  await waitFor('both loops to start', () => both.every(running));
  const observer = await startObserver(['--no-kafka', '--comm', 'write-loop']);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  const run = async (group: ReturnType<typeof startChild>[], targets: number, total: number) => {
    await waitFor(`${targets} targets`, async () => (await metric('observer_targets')) === targets);
    for (const loop of group) loop.process.stdin?.end('go\n');
    for (const loop of group) assert.equal(await loop.exited, 0);
    await waitFor(`${total} writes counted`, async () => (await counted()) >= total);
    assert.equal(await counted(), total);
  };
  await run(both, 2, 2 * writes);
  // Both gone, the follower forgets them; a third loop is then the one target.
  await waitFor('no target', async () => (await metric('observer_targets')) === 0);
  await run([startLoop()], 1, 3 * writes);
});

test('a 65th process of the name: 64 followed, one refused and counted, followed once one exits', async (t) => {
  const MAX_TARGETS = 64;
  const writes = 1000;
  const loops = Array.from({ length: MAX_TARGETS + 1 }, () =>
    startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' }),
  );
  t.after(() => Promise.all(loops.map((loop) => loop.stop())));
  await waitFor('every loop to start', () => loops.every(running));
  const observer = await startObserver(['--no-kafka', '--comm', 'write-loop', '--probes', 'write']);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  const refusedFull = 'observer_targets_refused_total{reason="targets_full"}';
  assert.equal(await metric('observer_targets'), MAX_TARGETS);
  assert.equal(await metric(refusedFull), 1);
  const refusedPid = Number(
    (await observer.waitForOutput(/not following pid (\d+) \(write-loop\)/, 'the refusal'))[1],
  );
  const refused = loops.find((loop) => loop.pid === refusedPid);
  assert.ok(refused);
  // Two followed loops exit: 63 targets means the refused one is in (62 if it were not).
  await Promise.all(
    loops
      .filter((loop) => loop !== refused)
      .slice(0, 2)
      .map((loop) => loop.stop()),
  );
  await waitFor(
    'the refused process followed',
    async () => (await metric('observer_targets')) === 63,
  );
  refused.process.stdin?.end('go\n');
  assert.equal(await refused.exited, 0);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${writes} writes counted`, async () => (await counted()) >= writes);
  assert.equal(await counted(), writes);
  assert.equal(await metric(refusedFull), 1, 'counted once, though tried at every re-resolve');
  assert.equal(observer.output().match(/not following pid/g)?.length, 1, 'logged once');
});

test("--uid: another user's process of the name is refused and counted; a pid file of another user is refused", async (t) => {
  const writes = 2000;
  const mine = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
  const theirs = startChild(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', WRITE_LOOP, String(writes), '1'],
    { stdin: 'pipe' },
  );
  t.after(() => Promise.all([mine.stop(), theirs.stop()]));
  await waitFor('both loops to start', () => running(mine) && running(theirs));
  const observer = await startObserver([
    ...['--no-kafka', '--comm', 'write-loop', '--uid', '0', '--probes', 'write'],
  ]);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  assert.equal(await metric('observer_targets'), 1);
  assert.equal(await metric('observer_targets_refused_total{reason="other_uid"}'), 1);
  for (const loop of [mine, theirs]) loop.process.stdin?.end('go\n');
  for (const loop of [mine, theirs]) assert.equal(await loop.exited, 0);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${writes} writes counted`, async () => (await counted()) >= writes);
  assert.equal(await counted(), writes, "root's loop alone");

  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-pidfile-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const pidfile = path.join(dir, 'app.pid');
  writeFileSync(pidfile, `${process.pid}\n`);
  chownSync(pidfile, 65534, 65534);
  const refused = await run(process.execPath, [OBSERVER_MAIN, '--port', '0', '--pidfile', pidfile]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    `observer: pid file ${pidfile} is owned by uid 65534: only one owned by root is trusted\n`,
  );
});

test('--pidfile follows the target when it restarts', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-pidfile-'));
  const pidfile = path.join(dir, 'app.pid');
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const first = await startApp();
  t.after(() => first.stop());
  writeFileSync(pidfile, `${first.process.pid}\n`);
  const observer = await startObserver(['--no-kafka', '--pidfile', pidfile]);
  t.after(() => observer.stop());
  await runBench(['-url', `${first.url}/ping`, '-conns', '2', '-requests', '30']);
  await first.stop();
  const second = await startApp();
  t.after(() => second.stop());
  writeFileSync(pidfile, `${second.process.pid}\n`);
  await waitFor('the new pid attached', async () => {
    await runBench(['-url', `${second.url}/ping`, '-conns', '1', '-requests', '1']);
    return seriesValue(await scrape(observer.url), 'app_uprobe_calls_total') > 30;
  });
  const before = seriesValue(await scrape(observer.url), 'app_uprobe_calls_total');
  await runBench(['-url', `${second.url}/ping`, '-conns', '2', '-requests', '40']);
  await waitFor(
    '40 more calls',
    async () => seriesValue(await scrape(observer.url), 'app_uprobe_calls_total') === before + 40,
  );
});

test('--tree: the children a shell starts after the observer did are counted from their first write', async (t) => {
  const writes = 5000;
  // Two loops, so at least one is a child the shell forks (dash may exec the last command).
  const shell = startChild(
    '/bin/sh',
    ['-c', `read go; ${WRITE_LOOP} ${writes} 1; ${WRITE_LOOP} ${writes} 1`],
    {
      stdin: 'pipe',
    },
  );
  t.after(() => shell.stop());
  const neighbour = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
  t.after(() => neighbour.stop());
  const observer = await startObserver([
    '--no-kafka',
    '--tree',
    String(shell.pid),
    '--probes',
    'write',
  ]);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  assert.equal(await metric('observer_targets'), 1, 'the shell alone, before it forks');
  // Each loop reads its own line: the shell's `read` takes the first, byte by byte.
  shell.process.stdin?.end('go\ngo\ngo\n');
  neighbour.process.stdin?.end('go\n');
  assert.equal(await shell.exited, 0);
  assert.equal(await neighbour.exited, 0);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${2 * writes} writes counted`, async () => (await counted()) >= 2 * writes);
  assert.equal(await counted(), 2 * writes, "the shell's two loops, not the neighbour's");
});
