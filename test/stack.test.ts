import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Finished } from '@obscost/process';
import { readProcStat } from '@obscost/process';
import { freeStackPorts, RELATIONS, STACK_CLI_MAIN } from '@obscost/infra';
import { expectedRequests, query, type Counts } from './like-for-like-support.js';
import { benchJson, listening, run, waitFor } from './support.js';

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

const prometheusOf = (port: OwnStack['port']): string =>
  `http://127.0.0.1:${port('PROMETHEUS_PORT')}`;

interface OwnStack {
  env: NodeJS.ProcessEnv;
  port: (name: string) => string;
  stack: (command: string) => Promise<Finished>;
}

/** `npm run stack` on free ports in a work directory of the test's own, down at the end. */
async function ownStack(t: TestContext): Promise<OwnStack> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'obscost-stack-'));
  const env: NodeJS.ProcessEnv = {
    ...(await freeStackPorts()),
    OBSCOST_WORK_DIR: workDir,
    APP_LOG_FILE: path.join(workDir, 'app/requests.log'),
    KAFKA_EVENTS_PARTITIONS: '1',
  };
  const stack = (command: string) => run(process.execPath, [STACK_CLI_MAIN, command], env);
  t.after(async () => {
    await stack('down');
    rmSync(workDir, { recursive: true, force: true });
  });
  return { env, port: (name) => env[name] ?? '', stack };
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

/** `requests` through the app: every approach counts them all in Prometheus, and status says so. */
async function checkCounts(
  t: TestContext,
  { port, stack }: OwnStack,
  requests: number,
): Promise<void> {
  const app = `http://127.0.0.1:${port('APP_PORT')}`;
  const bench = await benchJson([
    '-url',
    `${app}/ping`,
    '-conns',
    '4',
    '-requests',
    String(requests),
  ]);
  assert.equal(bench.requests, requests);
  let counts: Counts = {};
  try {
    await waitFor(
      'every approach to count every request in Prometheus',
      async () => {
        counts = await query(
          `http://127.0.0.1:${port('PROMETHEUS_PORT')}`,
          'approach:obscost_requests:sum',
        );
        return Object.entries(expectedRequests(requests)).every(([k, v]) => counts[k] === v);
      },
      120_000,
      1_000,
    );
  } finally {
    t.diagnostic(`requests ${JSON.stringify(counts)}`);
  }
  // What a user reads: each approach's totals since the start, and the relations holding.
  let shown = '';
  await waitFor(
    'stack status to find every relation holding',
    async () => {
      shown = (await stack('status')).stdout;
      return (shown.match(/: holds$/gm)?.length ?? 0) === RELATIONS.length;
    },
    30_000,
    1_000,
  ).catch(() => assert.fail(shown));
  assert.match(
    shown,
    /^counting since \S+Z \(the app's start; the aggregator's group obscost-stack-\d+ /m,
  );
  const total = requests.toLocaleString('en');
  assert.match(shown, new RegExp(`^ebpf_uprobe\\s+aggregator\\s+${total}\\s`, 'm'));
  // After the burst, every approach's rate over the last minute is the same number: the
  // recorded sums all start at 0 and are sampled at the same evaluations (rules.yml).
  let rates: Counts = {};
  const agree = (): boolean => {
    const appRate = rates['app/app'] ?? 0;
    return (
      appRate > 0 &&
      Object.keys(expectedRequests(requests)).every(
        (key) => Math.abs((rates[key] ?? 0) - appRate) <= 1e-9 * appRate,
      )
    );
  };
  // The rate rules run in a group of their own, up to an evaluation behind the sums.
  await waitFor(
    'every approach to show one rate1m',
    async () => {
      rates = await query(prometheusOf(port), 'approach:obscost_requests:rate1m');
      return agree();
    },
    15_000,
    1_000,
  ).catch(() => assert.fail(`rate1m after the burst ${JSON.stringify(rates)}`));
  t.diagnostic(`rate1m after the burst ${JSON.stringify(rates)}`);
}

/**
 * Under steady load for longer than the rules' window, every approach's rate1m is within
 * STEADY_TOLERANCE of the rate sent: the SDK's spans arrive in batches (every 5 s at this rate,
 * its BatchSpanProcessor's delay), so a minute's window holds one batch more or less, 1/12.
 */
const STEADY_RATE = 150;
const STEADY_TOLERANCE = 0.1;

async function checkSteadyRates(t: TestContext, { port }: OwnStack): Promise<void> {
  const url = `http://127.0.0.1:${port('APP_PORT')}/ping`;
  const rate = String(STEADY_RATE);
  const bench = await benchJson(['-url', url, '-conns', '4', '-rate', rate, '-dur', '75s']);
  assert.equal(bench.errors, 0);
  const rates = await query(prometheusOf(port), 'approach:obscost_requests:rate1m');
  t.diagnostic(`rate1m under ${rate} req/s ${JSON.stringify(rates)}`);
  for (const key of Object.keys(expectedRequests(1))) {
    const got = rates[key] ?? 0;
    assert.ok(Math.abs(got / STEADY_RATE - 1) <= STEADY_TOLERANCE, `${key}: ${got}/s`);
  }
}

test(
  'npm run stack: everything up on free ports, counting the same requests from its own start, twice, then down',
  { timeout: 280_000 },
  async (t) => {
    const own = await ownStack(t);
    await checkUp(own, await own.stack('up'));
    await checkCounts(t, own, 2000);
    // Down and up again over the same Kafka data: the new start counts only its own traffic,
    // the aggregator too (a group of its own, reading the topic from the app's start).
    assert.equal((await own.stack('down')).code, 0);
    const again = await own.stack('up');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    await checkCounts(t, own, 1200);
    await checkSteadyRates(t, own);

    const stopped = await own.stack('down');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /^aggregator: stopped \(pid \d+\)$/m);
    assert.equal((await own.stack('status')).code, 3);
    for (const name of ['APP_PORT', 'APP_METRICS_PORT', 'OBSERVER_PORT', 'PROMETHEUS_PORT']) {
      assert.equal(await listening(Number(own.port(name))), false, name);
    }
  },
);
