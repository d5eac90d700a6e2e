import assert from 'node:assert/strict';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { test, type TestContext } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import { ROOT } from '@obscost/infra';
import { benchJson, runBench, startChild } from './support.js';

/** What a fixture under fixtures/wire/ counts of what it read and sent (wire-counts.mjs). */
interface Sent {
  requests: number;
  responses: number;
  body_bytes: number;
  bytes: number;
  connections: number;
}

interface WireServer {
  url: string;
  sent(): Promise<Sent>;
}

type Fixture = 'close-server' | 'chunked-server' | 'slow-accept-server';

/** Starts a wire fixture, stopped after the test; a nap too long for SIGTERM ends in SIGKILL. */
async function startWire(
  t: TestContext,
  fixture: Fixture,
  env: NodeJS.ProcessEnv = {},
): Promise<WireServer> {
  const child = startChild(process.execPath, [path.join(ROOT, 'fixtures/wire', `${fixture}.mjs`)], {
    env,
  });
  t.after(() => child.stop(1_000));
  const match = await child.waitForOutput(
    /listening on (http:\/\/\S+) counts on (http:\/\/\S+)$/m,
    `${fixture} to listen`,
  );
  const [, url = '', countsUrl = ''] = match;
  return {
    url: `${url}/`,
    sent: async () => (await (await fetch(countsUrl)).json()) as Sent,
  };
}

/** A bench run and what the server sent over it, by its own counts. */
async function measured(
  server: WireServer,
  args: string[],
): Promise<{ result: LoadResult; sent: Sent }> {
  const before = await server.sent();
  const result = await benchJson(['-url', server.url, ...args]);
  const after = await server.sent();
  const sent = Object.fromEntries(
    Object.entries(after).map(([key, value]) => [key, value - before[key as keyof Sent]]),
  ) as unknown as Sent;
  return { result, sent };
}

/** The bench received exactly what the server sent, every request answered, no error. */
function assertExact(result: LoadResult, sent: Sent, what: string): void {
  assert.equal(result.errors, 0, `${what}: ${result.first_error ?? ''}`);
  assert.equal(result.status['200'], result.requests, what);
  assert.equal(sent.requests, sent.responses, `${what}: one response a request read`);
  assert.equal(result.requests, sent.responses, `${what}: responses, bench and server`);
  assert.equal(result.bytes, sent.bytes, `${what}: bytes, bench and server`);
  assert.ok(sent.bytes > sent.body_bytes, `${what}: heads and framing counted with the bodies`);
}

/** Connections the bench opened against each fixture, for its `requests` responses. */
function assertConnects(fixture: Fixture, result: LoadResult, what: string): void {
  if (fixture === 'close-server') {
    // One response a connection: each request on a connection of its own, and at most
    // `conns` more, reopened for requests the run then no longer issued.
    assert.ok(result.connects >= result.requests, `${what}: ${result.connects} connects`);
    assert.ok(result.connects <= result.requests + result.conns, `${what}: ${result.connects}`);
  } else {
    assert.ok(result.connects >= 1 && result.connects <= result.conns, what);
  }
}

const FIXTURES: Fixture[] = ['close-server', 'chunked-server', 'slow-accept-server'];

for (const fixture of FIXTURES) {
  test(
    `closed model against ${fixture}: exact counts both sides`,
    { timeout: 60_000 },
    async (t) => {
      const server = await startWire(t, fixture);
      const counted = await measured(server, ['-conns', '8', '-requests', '300']);
      assert.equal(counted.result.requests, 300);
      assertExact(counted.result, counted.sent, '-requests 300');
      assertConnects(fixture, counted.result, '-requests 300');

      const timed = await measured(server, ['-conns', '8', '-dur', '1s']);
      assert.ok(timed.result.requests > 0);
      assertExact(timed.result, timed.sent, '-dur 1s');
      assertConnects(fixture, timed.result, '-dur 1s');
    },
  );
}

for (const fixture of ['close-server', 'chunked-server'] as const) {
  test(`open model against ${fixture}: exact counts both sides`, { timeout: 60_000 }, async (t) => {
    const server = await startWire(t, fixture);
    const { result, sent } = await measured(server, [
      ...['-conns', '8', '-rate', '500', '-dur', '2s'],
    ]);
    assert.equal(result.model, 'open');
    assert.equal(result.requests, 1000, 'every slot of 2 s at 500 req/s');
    assertExact(result, sent, 'open model');
    assertConnects(fixture, result, 'open model');
    const lag = result.schedule_lag_ms;
    assert.ok(lag !== undefined, 'the open model reports its own lag');
    assert.ok(lag.p50 <= lag.p99 && lag.p99 <= lag.max, JSON.stringify(lag));
  });
}

test(
  'slow accept: connects that wait past -timeout are connect errors, named; the run ends on time with exact counts',
  { timeout: 60_000 },
  async (t) => {
    const server = await startWire(t, 'slow-accept-server');
    const started = performance.now();
    const { result, sent } = await measured(server, [
      ...['-conns', '32', '-dur', '2s', '-timeout', '500ms'],
    ]);
    const wallMs = performance.now() - started;
    // The drain after the deadline is bounded by -timeout; the rest is starting Node.
    assert.ok(wallMs < 2_000 + 500 + 1_500, `the bench took ${wallMs} ms`);
    // 32 SYNs at once into a backlog of 1: those dropped are retried by the kernel after 1 s.
    assert.ok(result.error_kinds.connect > 0, JSON.stringify(result.error_kinds));
    assert.equal(result.errors, result.error_kinds.connect, JSON.stringify(result.error_kinds));
    assert.equal(result.first_error, 'connect error: the connect did not complete within 500 ms');
    assert.ok(result.connects > 0 && result.requests > 0);
    assert.equal(result.requests, sent.responses, 'responses, bench and server');
    assert.equal(result.bytes, sent.bytes, 'bytes, bench and server');
  },
);

test(
  'a listener that stops accepting: a failed run that says why, not a hang',
  { timeout: 60_000 },
  async (t) => {
    // The first accept (the bench's reachability check) starts a nap longer than the test.
    const server = await startWire(t, 'slow-accept-server', { ACCEPT_EVERY_MS: '120000' });
    const started = performance.now();
    const finished = await runBench([
      ...['-url', server.url, '-conns', '8', '-dur', '5s', '-timeout', '500ms', '-json'],
    ]);
    const wallMs = performance.now() - started;
    assert.equal(finished.code, 1, finished.stderr);
    // The kernel completes as many connects as the backlog holds (2): their requests time out.
    assert.match(
      finished.stderr,
      /^bench: no successful response: (connect error: the connect did not complete|timeout error: no complete response) within 500 ms\n$/,
    );
    const result = JSON.parse(finished.stdout) as LoadResult;
    assert.equal(result.requests, 0);
    assert.ok(result.error_kinds.connect >= 6, JSON.stringify(result.error_kinds));
    assert.equal(result.gave_up, 'no connection could be made for 500 ms');
    assert.ok(wallMs < 5_000, `it gave up well before its 5 s: ${wallMs} ms`);
  },
);
