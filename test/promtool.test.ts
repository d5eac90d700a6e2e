import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  benchJson,
  freePorts,
  scrape,
  startAggregator,
  startApp,
  startChild,
  startObserver,
} from './support.js';

/** promtool's `check metrics` on `exposition`: its exit code and everything it printed. */
async function promtoolCheck(exposition: string): Promise<{ code: number | null; said: string }> {
  const promtool = startChild('promtool', ['check', 'metrics'], { stdin: 'pipe' });
  promtool.process.stdin?.end(exposition);
  const code = await promtool.closed;
  return { code, said: promtool.stdout() + promtool.stderr() };
}

async function assertClean(what: string, url: string): Promise<void> {
  const exposition = await scrape(url);
  assert.ok(exposition.length > 0, `${what}: an exposition`);
  assert.deepEqual(await promtoolCheck(exposition), { code: 0, said: '' }, what);
}

/** The app, having served a few requests, so its histograms have series. */
async function servingApp(t: TestContext, env: NodeJS.ProcessEnv = {}) {
  const app = await startApp(env);
  t.after(() => app.stop());
  const sent = await benchJson(['-url', `${app.url}/ping`, '-conns', '1', '-requests', '20']);
  assert.equal(sent.requests, 20);
  return app;
}

test('promtool check metrics: the checker itself says what is wrong', async () => {
  const bad = '# TYPE nodejs_active_handles_total gauge\nnodejs_active_handles_total 3\n';
  const { code, said } = await promtoolCheck(bad);
  assert.notEqual(code, 0);
  assert.match(said, /non-counter metrics should not have "_total" suffix/);
});

test("promtool check metrics is clean on the app's /metrics, on its own port and on the main one", async (t) => {
  const onMain = await servingApp(t);
  await assertClean('the app on its main port', `${onMain.url}/metrics`);
  const apart = await servingApp(t, { APP_METRICS_PORT: '0' });
  const [, url = ''] = await apart.waitForOutput(
    /app metrics on (http:\/\/\S+)/,
    'the metrics port',
  );
  await assertClean('the app on APP_METRICS_PORT', url);
});

test("promtool check metrics is clean on the observer's /metrics, in ring and in count mode", async (t) => {
  const app = await servingApp(t);
  const pid = String(app.process.pid);
  for (const args of [
    ['--no-kafka', '--bpf-stats', 'on'],
    ['--mode', 'count'],
  ]) {
    const observer = await startObserver([...args, '--pid', pid]);
    t.after(() => observer.stop());
    await benchJson(['-url', `${app.url}/ping`, '-conns', '1', '-requests', '20']);
    await assertClean(`the observer ${args.join(' ')}`, observer.url);
    assert.equal(await observer.stop(), 0);
  }
});

test("promtool check metrics is clean on the aggregator's /metrics", async (t) => {
  // Nothing listens on this broker: the aggregator serves its metrics while it waits for Kafka.
  const [broker] = await freePorts(1);
  const aggregator = await startAggregator(['--kafka-brokers', `127.0.0.1:${broker}`]);
  t.after(() => aggregator.stop());
  await assertClean('the aggregator', aggregator.url);
});
