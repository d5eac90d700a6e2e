import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startMetricsServer } from '../src/metrics-server.js';
import { HttpMetrics } from '../src/metrics.js';
import { buildServer } from '../src/server.js';

const COUNTER = /^app_http_requests_total\{.*$/gm;

test('with a metrics listener, /metrics leaves the main port and its scrapes count nowhere', async (t) => {
  const metrics = new HttpMetrics();
  const marked: number[] = [];
  const app = buildServer({
    metrics,
    marker: (bytes) => marked.push(bytes),
    metricsRoute: false,
  });
  const listener = await startMetricsServer(metrics, '127.0.0.1', 0);
  t.after(async () => {
    await app.close();
    await listener.close();
  });
  assert.equal((await app.inject('/ping')).statusCode, 200);
  assert.equal((await app.inject('/metrics')).statusCode, 404);
  assert.match(listener.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

  const first = await fetch(listener.url);
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await first.text();
  // The /metrics on the main port was a 404 and counts as one; the listener's scrapes do not.
  assert.deepEqual(text.match(COUNTER), [
    'app_http_requests_total{path="/ping",method="GET",code="200"} 1',
    'app_http_requests_total{path="unmatched",method="GET",code="404"} 1',
  ]);
  assert.deepEqual((await (await fetch(listener.url)).text()).match(COUNTER), text.match(COUNTER));
  assert.equal(marked.length, 2, 'the marker saw the main port only');
});

test('a taken metrics port is APP_LISTEN', async (t) => {
  const first = await startMetricsServer(new HttpMetrics(), '127.0.0.1', 0);
  t.after(() => first.close());
  await assert.rejects(startMetricsServer(new HttpMetrics(), '127.0.0.1', first.port), {
    code: 'APP_LISTEN',
  });
});
