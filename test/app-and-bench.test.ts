import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import { APP_METRICS } from '@obscost/events';
import {
  BENCH_CLI,
  run,
  RUNNER_MAIN,
  runBench,
  scrape,
  seriesValue,
  startApp,
  startChild,
  waitFor,
  type RunningApp,
} from './support.js';

interface LogLine {
  time: string;
  method: string;
  route: string;
  status: number;
  bytes: number;
  duration_ms: number;
}

function requestsTotal(exposition: string, route: string, code: number): number {
  return seriesValue(
    exposition,
    `${APP_METRICS.requests}{path="${route}",method="GET",code="${code}"}`,
  );
}

/** The request log's lines; none while the app has not yet created the file (it opens it asynchronously). */
function readLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

async function benchJson(args: string[]): Promise<LoadResult> {
  const result = await runBench([...args, '-json']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '', 'no progress line when stderr is not a terminal');
  return JSON.parse(result.stdout) as LoadResult;
}

function withApp(
  name: string,
  body: (app: RunningApp, logFile: string, t: TestContext) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): void {
  test(name, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-'));
    const logFile = path.join(dir, 'requests.log');
    const app = await startApp({ APP_LOG_FILE: logFile, ...env });
    t.after(async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    await body(app, logFile, t);
  });
}

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

withApp('after the log is moved away, SIGHUP reopens APP_LOG_FILE', async (app, logFile) => {
  await fetch(`${app.url}/ping`);
  await waitFor('the first line', () => readLog(logFile).length === 1);
  renameSync(logFile, `${logFile}.1`);
  await fetch(`${app.url}/ping`);
  await waitFor('the second line, in the moved file', () => readLog(`${logFile}.1`).length === 2);
  app.process.kill('SIGHUP');
  await waitFor('the log to be reopened', () => existsSync(logFile));
  await fetch(`${app.url}/work?ms=0`);
  await waitFor('the line after rotation', () => readLog(logFile).length === 1);
  assert.deepEqual(
    readLog(`${logFile}.1`).map((line) => line.route),
    ['/ping', '/ping'],
    'lines before SIGHUP stay in the moved file, where a tailer finishes reading them',
  );
  assert.equal(readLog(logFile)[0]?.route, '/work');
});

withApp(
  'SIGTERM finishes the request in flight, flushes the log and exits 0',
  async (app, logFile) => {
    const inFlight = fetch(`${app.url}/work?ms=400`);
    await waitFor('the request to reach the app', async () => {
      // The app is busy for 400 ms once the request arrives: a scrape then waits.
      const started = Date.now();
      await scrape(`${app.url}/healthz`);
      return Date.now() - started > 100;
    });
    app.process.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'worked 400 ms');
    assert.equal(await app.exited, 0);
    assert.match(app.output(), /app stopped/);
    const work = readLog(logFile).filter((line) => line.route === '/work');
    assert.equal(work.length, 1);
    assert.equal(work[0]?.status, 200);
  },
);

withApp(
  'with APP_MARKER=off the app serves without the marker library',
  async (app) => {
    const result = await benchJson(['-url', `${app.url}/ping`, '-conns', '2', '-requests', '50']);
    assert.equal(result.status['200'], 50);
  },
  { APP_MARKER: 'off', APP_MARKER_LIB: '/nonexistent.so' },
);

test('the app refuses a bad PORT with exit code 2', async () => {
  const app = startApp({ PORT: 'eighty' });
  await assert.rejects(app, /PORT must be an integer from 0 to 65535, got "eighty"/);
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

test('with OTEL_EXPORTER_OTLP_ENDPOINT the SDK traces each request with its route', async (t) => {
  const app = await startApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    OTEL_TRACES_EXPORTER: 'console',
    OTEL_METRICS_EXPORTER: 'console',
  });
  t.after(() => app.stop());
  for (let i = 0; i < 3; i++) assert.equal((await fetch(`${app.url}/work?ms=0`)).status, 200);
  assert.equal((await fetch(`${app.url}/no/such/${Math.random()}`)).status, 404);
  // Stopping flushes the console exporters' last spans and metrics into the output.
  assert.equal(await app.stop(), 0);
  const output = app.output();
  const spans = output.match(/^ {2}traceId: /gm) ?? [];
  assert.equal(spans.length, 4, output);
  assert.equal(output.match(/^ {4}'http\.route': '\/work'/gm)?.length, 3);
  assert.equal(output.match(/^ {4}'http\.route': 'unmatched'/gm)?.length, 1);
  assert.match(output, /http\.server\.request\.duration/);
});

test('the main job load-tests /ping and /work and stops the app', async () => {
  const result = await run(process.execPath, [RUNNER_MAIN, '--dur', '500ms', '--conns', '4']);
  assert.equal(result.code, 0, result.stderr);
  const summaries = result.stdout.match(
    /^bench http:\/\/127\.0\.0\.1:\d+(\S+): 4 connections, closed model, 500ms$/gm,
  );
  assert.deepEqual(
    summaries?.map((line) =>
      line
        .split(' ')[1]
        ?.replace(/^http:\/\/[^/]+/, '')
        .replace(/:$/, ''),
    ),
    ['/ping', '/work?ms=2'],
  );
  assert.match(result.stderr, /obscost: stopping the app/);
});
