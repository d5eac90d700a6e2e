import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  benchJson,
  freePorts,
  readLog,
  scrape,
  seriesValue,
  smallDisk,
  startApp,
  waitFor,
  withApp,
} from './support.js';

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

test('a full disk under the request log: every request served, its lines kept in memory and written once there is room', async (t) => {
  const dir = smallDisk(t, '64k');
  const filler = path.join(dir, 'filler');
  const logFile = path.join(dir, 'requests.log');
  const app = await startApp({ APP_LOG_FILE: logFile });
  t.after(() => app.stop());
  // Fill the disk: the app's next writes fail with ENOSPC.
  try {
    writeFileSync(filler, Buffer.alloc(128 * 1024));
  } catch {
    // ENOSPC, as meant: the filler took what there was.
  }
  const requests = 200;
  const result = await benchJson([
    '-url',
    `${app.url}/ping`,
    '-conns',
    '2',
    '-requests',
    String(requests),
  ]);
  assert.equal(result.status['200'], requests, 'every request served');
  await app.waitForOutput(/cannot write the request log .* \(ENOSPC/, 'the failure told once');
  const errors = () =>
    scrape(`${app.url}/metrics`).then((text) =>
      seriesValue(text, 'app_request_log_write_errors_total'),
    );
  assert.ok((await errors()) >= 1);

  rmSync(filler);
  await fetch(`${app.url}/ping`);
  const pings = () => readLog(logFile).filter((line) => line.route === '/ping').length;
  await waitFor('every line written', () => pings() >= requests + 1);
  assert.equal(pings(), requests + 1);
  assert.equal(
    seriesValue(await scrape(`${app.url}/metrics`), 'app_request_log_dropped_lines_total'),
    0,
  );
  assert.equal(app.output().match(/cannot write the request log/g)?.length, 1);
});

test('a request log that cannot be opened stops the start with its reason', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-log-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  // A file where the log's directory should be.
  writeFileSync(path.join(dir, 'logs'), '');
  const logFile = path.join(dir, 'logs', 'requests.log');
  await assert.rejects(
    startApp({ APP_LOG_FILE: logFile }),
    new RegExp(`app: cannot open the request log ${logFile}: E[A-Z]+: `),
  );
});

test('the Collector away, then back: every request served, failed exports counted, then exports resume', async (t) => {
  const [port] = await freePorts(1);
  const app = await startApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    // Each export gives up after half a second (10 s by default) and is counted failed.
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    OTEL_METRIC_EXPORT_INTERVAL: '200',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  t.after(() => app.stop());
  const result = await benchJson(['-url', `${app.url}/ping`, '-conns', '2', '-requests', '300']);
  assert.equal(result.status['200'], 300, 'every request served');
  const errors = async () =>
    seriesValue(await scrape(`${app.url}/metrics`), 'app_otel_export_errors_total');
  await waitFor('a failed export counted', async () => (await errors()) >= 2);
  await app.waitForOutput(/OpenTelemetry export failed \(.*\); requests go on/, 'the failure told');
  assert.equal(app.output().match(/OpenTelemetry export failed/g)?.length, 1, 'told once');

  // Something answers OTLP on that port again: the exports stop failing.
  let received = 0;
  const collector = createServer((request, response) => {
    received += 1;
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  t.after(() => collector.close());
  await new Promise<void>((resolve) => collector.listen(port, '127.0.0.1', resolve));
  // Past the exports begun before it answered (each gives up within 500 ms), none fails.
  await waitFor('exports to arrive', () => received >= 4);
  const settled = await errors();
  await waitFor('four more exports', () => received >= 8);
  assert.equal(await errors(), settled, 'no failure once the endpoint answers');
});
