import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { readProcStat, type Finished } from '@obscost/process';
import { checkCounts, ownStack, type OwnStack } from './stack-support.js';
import { listening } from './support.js';

/**
 * Every socket listening (TCP) or bound (UDP) in the process groups of `leaders`, the stack's
 * components (each is started as a group's leader), as `command address:port` lines.
 */
function listenersOf(leaders: number[]): string[] {
  const group = (pid: string): number => readProcStat(Number(pid))?.processGroup ?? -1;
  const members = new Set(
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry) && leaders.includes(group(entry)))
      .map(Number),
  );
  return execFileSync('ss', ['-Hltunp'], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const [, , , , address = ''] = line.split(/\s+/);
      const owners = [...line.matchAll(/\("([^"]+)",pid=(\d+)/g)];
      return owners
        .filter(([, , pid]) => members.has(Number(pid)))
        .map(([, command]) => `${command} ${address} `);
    });
}

/** What `up` printed, `status` says, and where each part listens. */
async function checkUp({ port, stack }: OwnStack, up: Finished): Promise<void> {
  assert.equal(up.code, 0, up.stdout + up.stderr);
  for (const name of ['kafka', 'collector', 'prometheus', 'app', 'observer', 'aggregator']) {
    assert.match(up.stdout, new RegExp(`^${name}: up in [\\d.]+ s \\(pid \\d+\\)$`, 'm'));
  }
  assert.match(up.stdout, new RegExp(`^app {10}http://127.0.0.1:${port('APP_PORT')}$`, 'm'));
  assert.match(
    up.stdout,
    new RegExp(`^app metrics  http://127.0.0.1:${port('APP_METRICS_PORT')}/metrics$`, 'm'),
  );
  assert.match(
    up.stdout,
    new RegExp(`^prometheus {3}http://127.0.0.1:${port('PROMETHEUS_PORT')}$`, 'm'),
  );
  assert.match(up.stdout, /^every approach counts from \S+Z, the app's start/m);
  assert.match(up.stdout, /^prometheus: every approach counted from 0, each source scraped once$/m);
  const status = await stack('status');
  assert.equal(status.code, 0, status.stdout);
  assert.equal(status.stdout.match(/ up \(pid \d+\)$/gm)?.length, 6, status.stdout);
  const pids = [...up.stdout.matchAll(/\(pid (\d+)\)$/gm)].map((m) => Number(m[1]));
  const listeners = listenersOf(pids);
  assert.ok(listeners.length >= 9, listeners.join('\n'));
  assert.deepEqual(
    listeners.filter(
      (listener) => !/ (127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]):\d+ /.test(listener),
    ),
    [],
    'every listener of the stack binds the loopback address',
  );
  const quit = await fetch(`http://127.0.0.1:${port('PROMETHEUS_PORT')}/-/quit`, {
    method: 'POST',
  });
  assert.equal(quit.status, 403, "Prometheus's lifecycle API is off");
}

test(
  'npm run stack: everything up on free ports, counting the same requests from its own start, twice, then down',
  { timeout: 200_000 },
  async (t) => {
    const own = await ownStack(t);
    await checkUp(own, await own.stack('up'));
    await checkCounts(t, own, { requests: 2000, total: 2000 });
    // Down and up again over the same Kafka data: the new start counts only its own traffic,
    // the aggregator too (a group of its own, reading the topic from the app's start).
    assert.equal((await own.stack('down')).code, 0);
    const again = await own.stack('up');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    await checkCounts(t, own, { requests: 1200, total: 1200 });

    const stopped = await own.stack('down');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /^aggregator: stopped \(pid \d+\)$/m);
    assert.equal((await own.stack('status')).code, 3);
    for (const name of ['APP_PORT', 'APP_METRICS_PORT', 'OBSERVER_PORT', 'PROMETHEUS_PORT']) {
      assert.equal(await listening(Number(own.port(name))), false, name);
    }
  },
);
