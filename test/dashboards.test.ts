import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertEveryPanelAnswers,
  assertEveryQueryParses,
  dashboardQueries,
  dataPanels,
  loadDashboards,
  metricNames,
} from './dashboard-support.js';
import { ownPrometheus } from './like-for-like-support.js';

test('the three dashboards load, each panel with the data source and a query', () => {
  const dashboards = loadDashboards();
  assert.deepEqual(dashboards.map((d) => d.uid).sort(), [
    'obscost-like-for-like',
    'obscost-pipeline-health',
    'obscost-sidecar-vs-ebpf',
  ]);
  for (const dashboard of dashboards) {
    for (const panel of dataPanels(dashboard)) {
      const where = `${dashboard.file}: ${panel.title ?? '?'}`;
      assert.equal(panel.datasource?.uid, 'prometheus', where);
      assert.ok((panel.targets ?? []).length > 0, where);
      for (const target of panel.targets ?? []) {
        assert.equal(target.datasource?.uid, 'prometheus', where);
        assert.ok((target.expr ?? '').length > 0, where);
      }
    }
  }
});

test('template variables are all substituted', () => {
  const queries = dashboardQueries();
  assert.ok(queries.length > 20, `${queries.length} queries`);
  for (const q of queries) assert.doesNotMatch(q.expr, /\$|\[\[/, `${q.panel}: ${q.expr}`);
  const cpu = queries.find((q) => q.expr.includes('process_cpu_seconds_total'));
  assert.match(cpu?.expr ?? '', /\{job=~"\.\*"\}\[1m\]/);
});

test('metric names are read out of PromQL, not functions, labels or keywords', () => {
  assert.deepEqual(
    metricNames(
      'histogram_quantile(0.99, sum by (le) (rate(app_http_request_duration_seconds_bucket{job="app"}[1m])))',
    ),
    ['app_http_request_duration_seconds_bucket'],
  );
  assert.deepEqual(
    metricNames(
      'approach:obscost_requests:sum - ignoring(approach, stage) group_left approach:obscost_requests:sum{approach="app"}',
    ),
    ['approach:obscost_requests:sum'],
  );
  assert.deepEqual(metricNames('sum(a_total) / sum(b_bytes) or vector(0)'), ['a_total', 'b_bytes']);
});

test('every dashboard query parses in a real Prometheus', { timeout: 60_000 }, async (t) => {
  const prometheus = await ownPrometheus(t);
  await assertEveryQueryParses(prometheus);
  // The premise: a query that does not parse is refused with 400, not answered with no data.
  const broken = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent('sum(')}`);
  assert.equal(broken.status, 400);
  // And with nothing scraped yet, the data check fails, naming each panel.
  await assert.rejects(assertEveryPanelAnswers(prometheus), /panel "Ring buffer fill" A: no data/);
});
