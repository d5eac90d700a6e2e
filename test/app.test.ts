import assert from 'node:assert/strict';
import { existsSync, renameSync } from 'node:fs';
import { test } from 'node:test';
import { benchJson, readLog, scrape, startApp, waitFor, withApp } from './support.js';

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
