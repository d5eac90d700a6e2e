import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import { test } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import {
  benchJson,
  BENCH_CLI,
  readLog,
  requestsTotal,
  runBench,
  scrape,
  startChild,
  waitFor,
  withApp,
} from './support.js';

withApp('the bench counts exactly what the app counted and logged', async (app, logFile) => {
  const before = await scrape(`${app.url}/metrics`);
  const timed = await benchJson(['-url', `${app.url}/ping`, '-conns', '8', '-dur', '1s']);
  const counted = await benchJson(['-url', `${app.url}/ping`, '-conns', '7', '-requests', '500']);
  const after = await scrape(`${app.url}/metrics`);

  assert.equal(counted.requests, 500);
  assert.equal(counted.status['200'], 500);
  const responses = timed.requests + counted.requests;
  assert.ok(timed.requests > 0);
  assert.equal(timed.status['200'], timed.requests);
  assert.equal(timed.errors + counted.errors, 0);
  assert.equal(timed.schedule_lag_ms, undefined, 'no schedule in the closed model');
  assert.equal(timed.latency_from_send_ms, undefined, 'its latency is from the send already');
  assert.equal(requestsTotal(after, '/ping', 200) - requestsTotal(before, '/ping', 200), responses);

  // The log is written asynchronously: wait for every line, then check each byte count.
  await waitFor(
    'every request in the log',
    () => readLog(logFile).filter((l) => l.route === '/ping').length >= responses,
  );
  const pings = readLog(logFile).filter((line) => line.route === '/ping');
  assert.equal(pings.length, responses);
  for (const line of pings) {
    assert.equal(line.method, 'GET');
    assert.equal(line.status, 200);
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.ok(line.duration_ms >= 0);
  }
  const loggedBytes = pings.reduce((sum, line) => sum + line.bytes, 0);
  assert.equal(loggedBytes, timed.bytes + counted.bytes, 'logged bytes == bytes the bench read');
  assert.equal(
    new Set(pings.map((line) => line.bytes)).size,
    1,
    'every /ping response is the same size',
  );
});

withApp('the open model issues exactly rate x duration requests, on schedule', async (app) => {
  const before = await scrape(`${app.url}/metrics`);
  const result = await benchJson([
    '-url',
    `${app.url}/work?ms=2`,
    '-conns',
    '4',
    '-rate',
    '100',
    '-dur',
    '1s',
  ]);
  const after = await scrape(`${app.url}/metrics`);
  assert.equal(result.model, 'open');
  assert.equal(result.requests, 100);
  assert.equal(result.status['200'], 100);
  assert.equal(requestsTotal(after, '/work', 200) - requestsTotal(before, '/work', 200), 100);
  assert.ok(result.latency_ms.p50 >= 2, `p50 ${result.latency_ms.p50} ms covers 2 ms of work`);
  assert.ok(result.duration_s >= 0.99, `the schedule spans the second: ${result.duration_s}`);
  const lag = result.schedule_lag_ms;
  assert.ok(lag !== undefined, 'the open model reports its own lag');
  assert.deepEqual(Object.keys(lag).sort(), Object.keys(result.latency_ms).sort());
  assert.ok(lag.p50 <= lag.p99 && lag.p99 <= lag.max, JSON.stringify(lag));
  // A bound a noisy 2-core machine keeps; bench:open measures the precision itself.
  assert.ok(lag.p50 < 5, `p50 lag ${lag.p50} ms`);
  // Each request's latency from its write is that from its due time less its lag, never more.
  const fromSend = result.latency_from_send_ms;
  assert.ok(fromSend !== undefined, 'the open model reports its latency from the send too');
  assert.ok(fromSend.p50 >= 2 && fromSend.p50 <= result.latency_ms.p50, JSON.stringify(fromSend));
  assert.ok(fromSend.max <= result.latency_ms.max, JSON.stringify(fromSend));
});

withApp('bad /work input: 400s, counted, and a failed bench run', async (app) => {
  const before = await scrape(`${app.url}/metrics`);
  const result = await runBench([
    '-url',
    `${app.url}/work?ms=abc`,
    '-conns',
    '2',
    '-requests',
    '10',
    '-json',
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^bench: no successful response: HTTP status 400$/m);
  const parsed = JSON.parse(result.stdout) as LoadResult;
  assert.deepEqual(parsed.status, { '400': 10 });
  assert.equal(parsed.error_kinds.non2xx, 10);
  const after = await scrape(`${app.url}/metrics`);
  assert.equal(requestsTotal(after, '/work', 400) - requestsTotal(before, '/work', 400), 10);
  const response = await fetch(`${app.url}/work?ms=2000`);
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: 'query parameter ms must be an integer from 0 to 1000, got "2000"',
    parameter: 'ms',
  });
});

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

test('bench: an unreachable host is a failed run with the reason', async () => {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  const result = await runBench(['-url', `http://127.0.0.1:${port}/`, '-dur', '1s']);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `bench: cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
  );
});

test('bench: a server that drops connections is a failed run with the reason', async (t) => {
  const server = createTcpServer((socket) => socket.destroy());
  const port = await listen(server);
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const result = await runBench([
    '-url',
    `http://127.0.0.1:${port}/`,
    '-conns',
    '2',
    '-requests',
    '20',
    '-json',
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^bench: no successful response: read error: /m);
  const parsed = JSON.parse(result.stdout) as LoadResult;
  assert.equal(parsed.requests, 0);
  assert.equal(parsed.error_kinds.read, 20);
});

test('bench: requests without a response within -timeout are timeouts', async (t) => {
  const server = createServer(() => undefined);
  const port = await listen(server);
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const result = await runBench([
    ...['-url', `http://127.0.0.1:${port}/`, '-conns', '2', '-requests', '4'],
    ...['-timeout', '200ms', '-json'],
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^bench: no successful response: timeout error: no complete response within 200 ms$/m,
  );
  const parsed = JSON.parse(result.stdout) as LoadResult;
  assert.deepEqual(parsed.error_kinds, { connect: 0, read: 0, timeout: 4, non2xx: 0 });
});

test('bench: usage errors exit 2 with one line', async () => {
  for (const [args, message] of [
    [['-url', '::nope'], /^bench: -url is not a valid URL: "::nope"$/m],
    [['-conns', '0'], /^bench: -conns must be a positive integer, got "0"$/m],
    [['-conns', '-3'], /^bench: -conns must be a positive integer, got "-3"$/m],
    [['-dur', 'soon'], /^bench: -dur: invalid duration "soon"/m],
  ] as const) {
    const result = await runBench([...args]);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
});

withApp('bench: Ctrl-C prints the partial results', async (app, _logFile, t) => {
  const bench = startChild(process.execPath, [
    BENCH_CLI,
    '-url',
    `${app.url}/ping`,
    '-conns',
    '4',
    '-dur',
    '60s',
  ]);
  t.after(() => bench.stop());
  await waitFor('the bench to load the app', async () => {
    return requestsTotal(await scrape(`${app.url}/metrics`), '/ping', 200) > 100;
  });
  bench.process.kill('SIGINT');
  assert.equal(await bench.exited, 130);
  assert.match(bench.output(), /^interrupted {3}SIGINT$/m);
  const requests = Number(/^requests\s+(\d+)$/m.exec(bench.output())?.[1]);
  assert.ok(requests > 100);
  const total = requestsTotal(await scrape(`${app.url}/metrics`), '/ping', 200);
  assert.equal(requests, total, 'every request the bench sent was answered and counted');
});
