import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  APP_HEALTH_METRICS,
  APP_METRICS,
  COLLECTOR_METRICS,
  EVENT_METRICS,
  TOPICS,
} from '@obscost/events';
import { PORTS } from '@obscost/flags';
import { loadInfraConfig, renderPrometheusConfig, ROOT } from '@obscost/infra';

/** Every metric name a service or the Collector exports with the seed's names. */
const KNOWN = new Set<string>([
  ...Object.values(APP_METRICS),
  ...Object.values(APP_HEALTH_METRICS),
  ...Object.values(EVENT_METRICS).flatMap((family) => Object.values(family)),
  ...Object.values(COLLECTOR_METRICS),
]);
const HISTOGRAMS = [
  APP_METRICS.requestDuration,
  ...Object.values(EVENT_METRICS).map((family) => family.sizes),
];

/** A name as written in PromQL or prose, without a histogram's series suffix. */
function family(name: string): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return HISTOGRAMS.includes(base as (typeof HISTOGRAMS)[number]) ? base : name;
}

/** The seed-style metric names a text mentions: app_*, log_http_*, otel_http_*. */
function mentioned(text: string): string[] {
  const names = text.match(
    /\b(?:app|log_http|otel_http)_[a-z0-9_]*_(?:total|seconds|bytes|bucket|sum|count)\b/g,
  );
  return [...new Set(names ?? [])].map(family);
}

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

test("the Collector configs' connectors make exactly the metrics the names list", () => {
  const configs = readdirSync(path.join(ROOT, 'otel')).filter((f) => /^collector.*\.yaml$/.test(f));
  assert.ok(configs.length >= 4);
  for (const file of configs) {
    const config = parse(read(`otel/${file}`)) as {
      connectors?: Record<string, Record<string, Record<string, unknown>>>;
    };
    // The Prometheus exporter turns log.http.requests into log_http_requests_total.
    const made = Object.values(config.connectors ?? {})
      .flatMap((signals) => Object.values(signals).flatMap((metrics) => Object.keys(metrics)))
      .map((name) => `${name.replaceAll('.', '_')}_total`);
    assert.deepEqual(made.sort(), Object.values(COLLECTOR_METRICS).sort(), file);
  }
});

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[] }[];
}

function jobs(yamlText: string): Map<string, string> {
  const config = parse(yamlText) as { scrape_configs: ScrapeConfig[] };
  return new Map(
    config.scrape_configs.map((job) => [job.job_name, job.static_configs[0]?.targets[0] ?? '']),
  );
}

test('Prometheus scrapes every service on the shared ports, natively and under Compose', () => {
  const expected: Record<string, number> = {
    prometheus: PORTS.prometheus,
    app: PORTS.app,
    observer: PORTS.observer,
    aggregator: PORTS.aggregator,
    collector: PORTS.collectorPrometheus,
    'collector-self': PORTS.collectorTelemetry,
  };
  const native = jobs(renderPrometheusConfig(loadInfraConfig({})));
  const docker = jobs(read('infra/prometheus/prometheus.docker.yml'));
  for (const [job, port] of Object.entries(expected)) {
    assert.equal(native.get(job), `127.0.0.1:${port}`, job);
    assert.match(docker.get(job) ?? '', new RegExp(`:${port}$`), job);
  }
  assert.deepEqual([...native.keys()].sort(), Object.keys(expected).sort());
});

test('every Grafana query reads metrics and jobs that exist', () => {
  const dir = 'infra/grafana/dashboards';
  const jobNames = new Set(jobs(read('infra/prometheus/prometheus.yml')).keys());
  for (const file of readdirSync(path.join(ROOT, dir))) {
    const exprs = [...read(`${dir}/${file}`).matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map(
      (m) => JSON.parse(`"${m[1] ?? ''}"`) as string,
    );
    assert.ok(exprs.length > 0, file);
    for (const expr of exprs) {
      for (const name of mentioned(expr)) assert.ok(KNOWN.has(name), `${file}: ${name} in ${expr}`);
      for (const [, job] of expr.matchAll(/job="([^"]+)"/g)) {
        assert.ok(jobNames.has(job ?? ''), `${file}: job ${job ?? ''} is not scraped`);
      }
    }
  }
});

test('the docs name only metrics that exist, and the README lists the seed names', () => {
  const pages = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
  for (const page of pages) {
    for (const name of mentioned(read(page))) assert.ok(KNOWN.has(name), `${page}: ${name}`);
  }
  const readme = read('README.md');
  for (const name of KNOWN) assert.ok(readme.includes(`\`${name}`), `README lacks ${name}`);
});

test("Compose creates the events topics by the library's names", () => {
  const compose = read('infra/compose.yaml');
  for (const topic of Object.values(TOPICS)) assert.ok(compose.includes(`${topic}:`), topic);
});
