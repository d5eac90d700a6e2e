import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { COLLECTOR_METRICS } from '@obscost/events';
import { collectorBinary, loadInfraConfig, ROOT } from '@obscost/infra';
import { ownCollector, type OwnCollector } from './collector-support.js';
import {
  benchJson,
  readLog,
  run,
  scrape,
  seriesValue,
  startApp,
  waitFor,
  type RunningApp,
} from './support.js';

/** The sum of every series of `name` carrying `label` (whatever its other labels). */
function sumSeries(exposition: string, name: string, label: string): number {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** What the Collector's Prometheus exporter says about one route, by both paths. */
interface RouteCounts {
  /** Sidecar path: request log records counted, and their `bytes` summed. */
  logRequests: number;
  logBytes: number;
  /** SDK path: server spans counted, and the SDK's own duration histogram's count. */
  spans: number;
  durationCount: number;
}

/** The name the Prometheus exporter gives the SDK's `http.server.request.duration` count. */
const SDK_DURATION_COUNT = 'http_server_request_duration_seconds_count';

async function routeCounts(collector: OwnCollector, route: string): Promise<RouteCounts> {
  const text = await scrape(collector.metrics);
  return {
    logRequests: sumSeries(text, COLLECTOR_METRICS.logRequests, `route="${route}"`),
    logBytes: sumSeries(text, COLLECTOR_METRICS.logResponseBytes, `route="${route}"`),
    spans: sumSeries(text, COLLECTOR_METRICS.serverSpans, `http_route="${route}"`),
    durationCount: sumSeries(text, SDK_DURATION_COUNT, `http_route="${route}"`),
  };
}

/** Waits until the counts are `expected`; after `timeoutMs`, fails showing where they stopped. */
async function expectCounts(
  collector: OwnCollector,
  route: string,
  expected: RouteCounts,
  timeoutMs: number,
): Promise<RouteCounts> {
  let last = await routeCounts(collector, route);
  try {
    await waitFor(
      `the Collector's counts for ${route}`,
      async () => {
        last = await routeCounts(collector, route);
        return JSON.stringify(last) === JSON.stringify(expected);
      },
      timeoutMs,
      200,
    );
  } catch {
    assert.deepEqual(last, expected, `${route}: where the counts stopped`);
  }
  return last;
}

/** The real app logging to the Collector's request log and exporting to it with the SDK. */
async function observedApp(
  t: TestContext,
  collector: OwnCollector,
  sdk = true,
): Promise<RunningApp> {
  const otlp = `http://127.0.0.1:${collector.config.collector.otlpHttpPort}`;
  const app = await startApp({
    APP_LOG_FILE: collector.logFile,
    ...(sdk && {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // The histogram settles within a second of the last request.
      OTEL_METRIC_EXPORT_INTERVAL: process.env.OTEL_METRIC_EXPORT_INTERVAL ?? '500',
    }),
  });
  t.after(() => app.stop());
  return app;
}

/** N requests to /ping at `rate` per second; every one must succeed. */
async function drive(app: RunningApp, rate: number, requests: number) {
  const result = await benchJson([
    ...['-url', `${app.url}/ping`, '-conns', '32'],
    ...['-rate', String(rate), '-requests', String(requests)],
  ]);
  assert.equal(result.status['200'], requests, JSON.stringify(result.status));
  return result;
}

test(
  'thousands of requests counted exactly by the Collector: request log and SDK',
  { timeout: 180_000 },
  async (t) => {
    const collector = await ownCollector(t, 'otel/collector-filelog.yaml');
    const app = await observedApp(t, collector);
    const requests = 5_000;
    const result = await drive(app, 1_000, requests);
    await expectCounts(
      collector,
      '/ping',
      { logRequests: requests, logBytes: result.bytes, spans: requests, durationCount: requests },
      60_000,
    );
    // The request log is the ground truth of the sidecar path: the same lines, the same bytes.
    const lines = readLog(collector.logFile).filter((line) => line.route === '/ping');
    assert.equal(lines.length, requests);
    assert.equal(
      lines.reduce((sum, line) => sum + line.bytes, 0),
      result.bytes,
    );
  },
);

/** A request log line as the app writes it. */
const logLine = (route: string, bytes: number): string =>
  `{"time":"2026-11-25T00:00:00.000Z","method":"GET","route":"${route}","status":200,"bytes":${bytes},"duration_ms":0.5}\n`;

/** The Collector's own telemetry: what its receivers accepted. */
async function accepted(collector: OwnCollector): Promise<{ logRecords: number; spans: number }> {
  const text = await scrape(collector.telemetry);
  return {
    logRecords: sumSeries(text, 'otelcol_receiver_accepted_log_records_total', 'filelog'),
    spans: sumSeries(text, 'otelcol_receiver_accepted_spans_total', 'otlp'),
  };
}

/**
 * Not a test but the measurement behind docs/infrastructure.md's figures, run only when
 * COLLECTOR_RATES lists request rates: for each, a fresh Collector (COLLECTOR_RATES_CONFIG,
 * default the filelog config) and app, COLLECTOR_SECONDS (default 5) of /ping at that rate,
 * then how long each path took to become exact, or where it stopped after 30 s. The app's
 * OTEL_* variables pass through, for tuning the SDK; COLLECTOR_SDK=off measures the request
 * log alone (the SDK costs the app most of its throughput).
 */
const RATES = process.env.COLLECTOR_RATES;
test(
  'figures: the request rates at which both paths stay exact',
  { skip: RATES === undefined && 'set COLLECTOR_RATES to measure', timeout: 3_600_000 },
  async (t) => {
    const config = process.env.COLLECTOR_RATES_CONFIG ?? 'otel/collector-filelog.yaml';
    const seconds = Number(process.env.COLLECTOR_SECONDS ?? '5');
    const sdk = process.env.COLLECTOR_SDK !== 'off';
    t.diagnostic(`config ${config}, SDK ${sdk ? 'on' : 'off'}, ${seconds} s at each rate`);
    for (const rate of (RATES ?? '').split(',').map(Number)) {
      await t.test(`${rate}/s`, async (st) => {
        const collector = await ownCollector(st, config);
        const app = await observedApp(st, collector, sdk);
        const requests = Math.round(rate * seconds);
        const result = await drive(app, rate, requests);
        const ended = Date.now();
        const viaSdk = sdk ? requests : 0;
        const row = {
          logRequests: requests,
          logBytes: result.bytes,
          spans: viaSdk,
          durationCount: viaSdk,
        };
        let last = await routeCounts(collector, '/ping');
        const exact = await waitFor(
          'exact counts',
          async () =>
            JSON.stringify((last = await routeCounts(collector, '/ping'))) === JSON.stringify(row),
          30_000,
          200,
        ).then(
          () => `exact ${((Date.now() - ended) / 1000).toFixed(1)} s after the load`,
          () => `NOT exact after 30 s: ${JSON.stringify(last)}`,
        );
        const took = await accepted(collector);
        t.diagnostic(
          `${rate}/s: achieved ${Math.round(result.requests / result.duration_s)}/s, ${requests} requests; ` +
            `receivers accepted ${took.logRecords} log records, ${took.spans} spans; ${exact}`,
        );
      });
    }
  },
);

/**
 * The sidecar path without the app as its limit: COLLECTOR_BURST request log lines written
 * before the Collector starts, and how long until it has counted them all exactly.
 */
const BURST = process.env.COLLECTOR_BURST;
test(
  'figures: how fast the Collector counts a request log written ahead',
  { skip: BURST === undefined && 'set COLLECTOR_BURST to measure', timeout: 600_000 },
  async (t) => {
    const lines = Number(BURST);
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-burst-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const logFile = path.join(dir, 'requests.log');
    writeFileSync(logFile, logLine('/ping', 153).repeat(lines));
    const started = Date.now();
    const collector = await ownCollector(t, 'otel/collector-filelog.yaml', logFile);
    await expectCounts(
      collector,
      '/ping',
      { logRequests: lines, logBytes: lines * 153, spans: 0, durationCount: 0 },
      300_000,
    );
    const elapsed = (Date.now() - started) / 1000;
    t.diagnostic(
      `${lines} lines counted exactly in ${elapsed.toFixed(1)} s: ${Math.round(lines / elapsed)}/s`,
    );
  },
);

test('the filelog config counts request log lines into metrics', async (t) => {
  const collector = await ownCollector(t, 'otel/collector-filelog.yaml');
  writeFileSync(collector.logFile, '');
  appendFileSync(
    collector.logFile,
    logLine('/ping', 153) + logLine('/ping', 153) + logLine('/work', 162),
  );
  const requests = (route: string) =>
    `${COLLECTOR_METRICS.logRequests}{route="${route}",status="200"}`;
  const bytes = (route: string) => `${COLLECTOR_METRICS.logResponseBytes}{route="${route}"}`;
  // The count and sum connectors feed the metrics pipeline separately, so their series
  // can land in different exports: wait for all four.
  await waitFor(
    'three counted lines and their bytes',
    async () => {
      const text = await scrape(collector.metrics);
      return (
        seriesValue(text, requests('/ping')) === 2 &&
        seriesValue(text, requests('/work')) === 1 &&
        seriesValue(text, bytes('/ping')) === 306 &&
        seriesValue(text, bytes('/work')) === 162
      );
    },
    20_000,
  );
});

test('the Collector restarted under the request log: it goes on where it stopped, no line twice or missed', async (t) => {
  const collector = await ownCollector(t, 'otel/collector-filelog.yaml');
  const count = async (route: string) =>
    seriesValue(
      await scrape(collector.metrics),
      `${COLLECTOR_METRICS.logRequests}{route="${route}",status="200"}`,
    );
  writeFileSync(collector.logFile, logLine('/ping', 153).repeat(300));
  await waitFor('300 lines counted', async () => (await count('/ping')) === 300, 20_000);

  await collector.down();
  appendFileSync(collector.logFile, logLine('/ping', 153).repeat(200));
  await collector.up();
  // Lines are read in order: once the marker after them is counted, so is every line before it.
  appendFileSync(collector.logFile, logLine('/marker', 1));
  await waitFor('the marker counted', async () => (await count('/marker')) === 1, 20_000);
  // The new process counts from zero: exactly the 200 lines written while it was down.
  assert.equal(await count('/ping'), 200);
});

test('every Collector config in otel/ passes the real Collector validate', async () => {
  const binary = collectorBinary(loadInfraConfig());
  const configs = readdirSync(path.join(ROOT, 'otel')).filter((f) => /^collector.*\.yaml$/.test(f));
  assert.deepEqual(configs.sort(), [
    'collector-debug.yaml',
    'collector-filelog.yaml',
    'collector-remote-write.yaml',
    'collector.yaml',
  ]);
  for (const config of configs) {
    const result = await run(binary, ['validate', '--config', path.join(ROOT, 'otel', config)]);
    assert.equal(result.code, 0, `${config}: ${result.stderr}`);
  }
  const broken = path.join(mkdtempSync(path.join(tmpdir(), 'obscost-otel-')), 'broken.yaml');
  writeFileSync(broken, 'receivers:\n  nosuchreceiver: {}\n');
  const refused = await run(binary, ['validate', '--config', broken]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /nosuchreceiver/);
});
