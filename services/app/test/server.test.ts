import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpMetrics } from '../src/metrics.js';
import { buildServer } from '../src/server.js';
import { parseWorkMs } from '../src/work.js';

function counterLines(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('app_http_requests_total{'));
}

test('routes answer as the seed did', async (t) => {
  const app = buildServer({ metrics: new HttpMetrics() });
  t.after(() => app.close());
  const ping = await app.inject('/ping');
  assert.equal(ping.statusCode, 200);
  assert.equal(ping.body, 'pong');
  assert.deepEqual((await app.inject('/healthz')).json(), { status: 'ok' });
  const work = await app.inject('/work?ms=1');
  assert.equal(work.statusCode, 200);
  assert.equal(work.body, 'worked 1 ms');
});

test('/work rejects each kind of bad input with a JSON error naming ms', async (t) => {
  const app = buildServer({ metrics: new HttpMetrics() });
  t.after(() => app.close());
  for (const query of [
    '',
    '?ms=',
    '?ms=abc',
    '?ms=-1',
    '?ms=1001',
    '?ms=1.5',
    '?ms=1e2',
    '?ms=%205',
    '?ms=1&ms=2',
  ]) {
    const response = await app.inject(`/work${query}`);
    assert.equal(response.statusCode, 400, query);
    const body = response.json<{ error: string; parameter: string }>();
    assert.equal(body.parameter, 'ms', query);
    assert.match(body.error, /query parameter ms/, query);
  }
});

test('parseWorkMs bounds', () => {
  assert.equal(parseWorkMs('0'), 0);
  assert.equal(parseWorkMs('1000'), 1000);
  assert.deepEqual(parseWorkMs('1001'), {
    error: 'query parameter ms must be an integer from 0 to 1000, got "1001"',
  });
  assert.deepEqual(parseWorkMs(undefined), { error: 'query parameter ms is required' });
});

test('metrics label requests by route template; unmatched URLs share one series', async (t) => {
  const app = buildServer({ metrics: new HttpMetrics() });
  t.after(() => app.close());
  await app.inject('/ping');
  await app.inject('/ping');
  await app.inject('/work?ms=0');
  await app.inject('/work?ms=x');
  for (let i = 0; i < 5; i++) await app.inject(`/random/${i}?q=${i}`);
  await app.inject({ method: 'POST', url: '/ping' });
  const text = (await app.inject('/metrics')).body;
  assert.deepEqual(counterLines(text), [
    'app_http_requests_total{path="/ping",method="GET",code="200"} 2',
    'app_http_requests_total{path="/work",method="GET",code="200"} 1',
    'app_http_requests_total{path="/work",method="GET",code="400"} 1',
    'app_http_requests_total{path="unmatched",method="GET",code="404"} 5',
    'app_http_requests_total{path="unmatched",method="POST",code="404"} 1',
  ]);
  assert.match(
    text,
    /^app_http_request_duration_seconds_count\{path="\/ping",method="GET",code="200"\} 2$/m,
  );
  assert.match(text, /^# TYPE app_http_request_duration_seconds histogram$/m);
});

test('the route template reaches the telemetry hook', async (t) => {
  const routes: string[] = [];
  const app = buildServer({ metrics: new HttpMetrics(), onRoute: (route) => routes.push(route) });
  t.after(() => app.close());
  await app.inject('/work?ms=0');
  await app.inject('/nope');
  assert.deepEqual(routes, ['/work', 'unmatched']);
});
