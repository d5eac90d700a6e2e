import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { APP_METRICS, COLLECTOR_METRICS, EVENT_METRICS } from '@obscost/events';
import { runToEnd } from '@obscost/process';
import { loadInfraConfig, ROOT } from '../src/config.js';
import { renderPrometheusConfig } from '../src/prometheus.js';

const DIR = path.join(ROOT, 'infra/prometheus');
const RULES = path.join(DIR, 'rules.yml');
const read = (file: string): string => readFileSync(path.join(DIR, file), 'utf8');

test('promtool accepts the recording rules', async () => {
  const result = await runToEnd('promtool', ['check', 'rules', RULES]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS: 14 rules found/);
});

test("the rules make of made-up counters what rules.test.yml says (promtool's unit tests)", async () => {
  const result = await runToEnd('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: DIR });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS/);
});

test('the rules read only the seed names, from jobs Prometheus scrapes', () => {
  const known = new Set<string>([
    ...Object.values(APP_METRICS),
    ...Object.values(EVENT_METRICS).flatMap((family) => [family.events, family.bytes]),
    ...Object.values(COLLECTOR_METRICS),
  ]);
  const exprs = [...read('rules.yml').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1] ?? '');
  assert.equal(exprs.length, 14);
  const jobs = new Set([...read('prometheus.yml').matchAll(/job_name: (\S+)/g)].map((m) => m[1]));
  for (const expr of exprs) {
    for (const [name] of expr.matchAll(/\b[a-z_]+_total\b/g)) assert.ok(known.has(name), expr);
    for (const [, job] of expr.matchAll(/job="([^"]+)"/g)) assert.ok(jobs.has(job), expr);
  }
});

test('both Prometheus configs load the rules; natively the file PROMETHEUS_RULES names', () => {
  assert.match(renderPrometheusConfig(loadInfraConfig({})), new RegExp(`^  - '${RULES}'$`, 'm'));
  const own = '/tmp/other-rules.yml';
  assert.match(
    renderPrometheusConfig(loadInfraConfig({ PROMETHEUS_RULES: own })),
    new RegExp(`^  - '${own}'$`, 'm'),
  );
  assert.match(
    read('prometheus.docker.yml'),
    /^rule_files:\n {2}- \/etc\/prometheus\/rules\.yml$/m,
  );
});

test('APP_METRICS_PORT, when set, is where Prometheus scrapes the app', () => {
  assert.equal(loadInfraConfig({ APP_PORT: '8000' }).targets.app, 8000);
  assert.equal(loadInfraConfig({ APP_PORT: '8000', APP_METRICS_PORT: '8001' }).targets.app, 8001);
});
