import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_METRICS, COLLECTOR_METRICS, EVENT_METRICS } from '@obscost/events';
import { ROOT } from '@obscost/infra';
import { parse } from 'yaml';

/**
 * The Grafana dashboards (infra/grafana/dashboards) read as Grafana would, and checked against
 * a real Prometheus: every query parses, names only metrics that exist, and answers.
 */

export const DASHBOARD_DIR = path.join(ROOT, 'infra/grafana/dashboards');

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
export interface Panel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  allValue?: string;
  current?: { value?: string | string[] };
}
export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Variable[] };
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** The query as Prometheus gets it: every template variable substituted. */
  expr: string;
}

/** The dashboard files' names, as Grafana's provisioning picks them. */
export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARD_DIR).filter((file) => file.endsWith('.json'));
}

export function loadDashboards(): Dashboard[] {
  return dashboardFiles().map((file) => ({
    ...(JSON.parse(readFileSync(path.join(DASHBOARD_DIR, file), 'utf8')) as Dashboard),
    file,
  }));
}

/** Every panel that shows data, rows' collapsed panels included. */
export function dataPanels(dashboard: Dashboard): Panel[] {
  const all = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return all.filter((panel) => panel.type !== 'row');
}

// A range as Grafana would pick it for a 5 s scrape interval; rate() needs two samples in it.
const INTERVALS = { __rate_interval: '1m', __interval: '1m', __range: '15m' };

/** A variable's current value; "All" as its allValue or a match-all regex (used with =~). */
function valueOf(variable: Variable): string {
  const current = variable.current?.value ?? '';
  const values = Array.isArray(current) ? current : [current];
  if (values.includes('$__all') || values.length === 0) return variable.allValue ?? '.*';
  return values.join('|');
}

function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)|\[\[(\w+)\]\]/g,
    (whole, a?: string, b?: string, c?: string) => {
      const name = a ?? b ?? c ?? '';
      return values[name] ?? whole;
    },
  );
}

/** Every panel target's expr of every dashboard, with its template variables substituted. */
export function dashboardQueries(): DashboardQuery[] {
  return loadDashboards().flatMap((dashboard) => {
    const values: Record<string, string> = { ...INTERVALS };
    for (const variable of dashboard.templating?.list ?? []) {
      values[variable.name] = valueOf(variable);
    }
    return dataPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        dashboard: `${dashboard.title} (${dashboard.file})`,
        panel: panel.title ?? '?',
        refId: target.refId ?? '?',
        expr: substitute(target.expr ?? '', values),
      })),
    );
  });
}

const KEYWORDS = new Set(
  ['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring'].concat([
    'group_left',
    'group_right',
    'inf',
    'nan',
  ]),
);

/** The metric (and recording rule) names a PromQL expression selects. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)].map(
    (m) => m[1],
  );
  return [...new Set(names)].filter((name): name is string => !KEYWORDS.has(name ?? ''));
}

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: unknown[] };
}

async function instantQuery(prometheus: string, expr: string): Promise<QueryAnswer> {
  const url = `${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`;
  return (await (await fetch(url)).json()) as QueryAnswer;
}

const where = (q: DashboardQuery): string => `${q.dashboard}, panel "${q.panel}" ${q.refId}`;

/** Every query parses: Prometheus answers a parse error with 400 and status "error". */
export async function assertEveryQueryParses(prometheus: string): Promise<void> {
  for (const q of dashboardQueries()) {
    const answer = await instantQuery(prometheus, q.expr);
    assert.equal(answer.status, 'success', `${where(q)}: ${answer.error ?? ''}: ${q.expr}`);
  }
}

/** The names the code defines: the seed's (events library), the recording rules'. */
function libraryAndRuleNames(): string[] {
  const histograms = [
    APP_METRICS.requestDuration,
    ...Object.values(EVENT_METRICS).map((f) => f.sizes),
  ];
  const rules = parse(readFileSync(path.join(ROOT, 'infra/prometheus/rules.yml'), 'utf8')) as {
    groups: { rules: { record: string }[] }[];
  };
  return [
    APP_METRICS.requests,
    ...Object.values(EVENT_METRICS).flatMap((family) => [family.events, family.bytes]),
    ...Object.values(COLLECTOR_METRICS),
    ...histograms.flatMap((name) => ['bucket', 'sum', 'count'].map((s) => `${name}_${s}`)),
    ...rules.groups.flatMap((group) => group.rules.map((rule) => rule.record)),
  ];
}

/**
 * Every metric name a dashboard names is defined: by the events library, by the recording
 * rules, or exported by a process this Prometheus scraped (the services' own metrics, the
 * Collector's, Prometheus's), as its label values list them. Then every query answers with
 * data. Meant for a Prometheus that has scraped the whole stack under load; fails naming the
 * dashboard, the panel and the query.
 */
export async function assertEveryPanelAnswers(prometheus: string): Promise<void> {
  const scraped = (await (await fetch(`${prometheus}/api/v1/label/__name__/values`)).json()) as {
    data: string[];
  };
  const defined = new Set([...libraryAndRuleNames(), ...scraped.data]);
  const failures: string[] = [];
  for (const q of dashboardQueries()) {
    const unknown = metricNames(q.expr).filter((name) => !defined.has(name));
    if (unknown.length > 0) failures.push(`${where(q)}: no metric ${unknown.join(', ')}`);
    const answer = await instantQuery(prometheus, q.expr);
    if (answer.status !== 'success') failures.push(`${where(q)}: ${answer.error ?? ''}: ${q.expr}`);
    else if ((answer.data?.result.length ?? 0) === 0)
      failures.push(`${where(q)}: no data: ${q.expr}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
}
