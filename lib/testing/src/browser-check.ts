import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { formatField, rawValue, type Report } from '@obscost/report';

/** Debian's Chromium (infra/setup.sh installs it): playwright-core downloads no browser. */
const CHROMIUM = '/usr/bin/chromium';

/** No sandbox as root; nothing that would reach the network of its own accord. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-gpu',
];

/**
 * Debian's Chromium, headless, closed after `t`: every page a test opens here is opened in
 * it, so none reaches for the network of its own accord.
 */
export async function launchChromium(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  return browser;
}

/** The page's charts, by the ids @obscost/report gives them, in the page's order. */
export const CHART_IDS = [
  'chart-capacity',
  'chart-latency',
  'chart-overhead',
  'chart-cpu',
  'chart-distribution',
  'chart-accuracy',
] as const;

/** What the browser saw of the page. */
export interface PageFindings {
  /** Every request the page made that was not for a file:// URL (each was aborted). */
  requests: string[];
  scripts: number;
  charts: {
    id: string;
    svgs: number;
    /** Drawn shapes: paths and rects of a visible size. */
    marks: number;
    width: number;
    height: number;
    text: string;
  }[];
  figures: { field: string; value: string; text: string }[];
}

/**
 * The little of the DOM the checks use, typed here: the project compiles for Node, without
 * the DOM's declarations, and these functions run in the page.
 */
interface PageElement {
  readonly id: string;
  readonly textContent: string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getBoundingClientRect(): { width: number; height: number };
  getAttribute(name: string): string | null;
}

/** The value at `field` of the report, a path such as `scenarios[1].overhead.rps_ratio.min`. */
export function valueAt(report: Report, field: string): unknown {
  let value: unknown = report;
  for (const [, key, index] of field.matchAll(/\.?([^.[\]]+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key ?? index ?? ''];
  }
  return value;
}

/** Opens `htmlFile` in headless Chromium, with every request that is not file:// aborted. */
async function inspectPage(
  browser: Browser,
  htmlFile: string,
  screenshotFile: string,
): Promise<PageFindings> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('file:') && !requests.includes(url)) requests.push(url);
  });
  await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
  const scripts = await page.locator('script').count();
  const charts = await page.locator('figure.chart').evaluateAll((figures: PageElement[]) =>
    figures.map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const marks = Array.from(svg?.querySelectorAll('path, rect') ?? []).filter((shape) => {
        const size = shape.getBoundingClientRect();
        return size.width > 0 || size.height > 0;
      }).length;
      return {
        id: figure.id,
        svgs: figure.querySelectorAll('svg').length,
        marks,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        text: svg?.textContent ?? '',
      };
    }),
  );
  const figures = await page.locator('[data-field]').evaluateAll((elements: PageElement[]) =>
    elements.map((element) => ({
      field: element.getAttribute('data-field') ?? '',
      value: element.getAttribute('data-value') ?? '',
      text: element.textContent ?? '',
    })),
  );
  await page.screenshot({ path: screenshotFile, fullPage: true });
  await context.close();
  return { requests, scripts, charts, figures };
}

/**
 * Checks the report's page in a real browser: it makes no request beyond file://, runs no
 * script, every chart (`expectedCharts`) is an SVG with drawn marks, and every figure shown
 * with a data-field is the report's value there, written as the terminal writes it. Saves
 * a full-page screenshot to `screenshotFile`. The browser is closed (and, should anything
 * hang, by the test's end) before any assertion.
 */
export async function checkReportInBrowser(
  t: TestContext,
  htmlFile: string,
  report: Report,
  screenshotFile: string,
  expectedCharts: readonly string[] = CHART_IDS,
): Promise<void> {
  const browser = await launchChromium(t);
  let findings: PageFindings;
  try {
    findings = await inspectPage(browser, htmlFile, screenshotFile);
  } finally {
    await browser.close();
  }

  assert.deepEqual(findings.requests, [], 'the page asked for something beyond file://');
  assert.equal(findings.scripts, 0, 'the page needs no script');
  assert.deepEqual(
    findings.charts.map((c) => c.id),
    [...expectedCharts],
  );
  const measured = report.scenarios.filter((s) => s.status === 'ok').map((s) => s.name);
  const notMeasured = report.scenarios.filter((s) => s.status !== 'ok').map((s) => s.name);
  for (const chart of findings.charts) {
    assert.equal(chart.svgs, 1, `${chart.id}: one SVG`);
    // A chart a row an approach is short with two rows (about 110 px); a collapsed one is 0.
    assert.ok(chart.width > 300 && chart.height > 80, `${chart.id}: drawn at a visible size`);
    assert.ok(chart.marks >= measured.length + 3, `${chart.id}: only ${chart.marks} marks drawn`);
  }
  const capacity = findings.charts.find((c) => c.id === 'chart-capacity')?.text ?? '';
  for (const name of measured) assert.ok(capacity.includes(name), `${name} in the charts`);
  for (const name of notMeasured) assert.ok(!capacity.includes(name), `${name} not in the charts`);

  assert.ok(findings.figures.length > 0, 'the page shows figures');
  const wrong = findings.figures.flatMap(({ field, value, text }) => {
    const expected = valueAt(report, field);
    if (expected === undefined) return [`${field}: not in the report`];
    const problems: string[] = [];
    if (value !== rawValue(expected)) problems.push(`${field}: data-value ${value}`);
    const shown = formatField(field, expected);
    if (text !== shown) problems.push(`${field}: shows "${text}", the report has "${shown}"`);
    return problems;
  });
  assert.deepEqual(wrong, [], 'figures that differ from the report');
  for (const [i, s] of report.scenarios.entries()) {
    const shown = new Set(findings.figures.map((f) => f.field));
    const must =
      s.status === 'ok'
        ? ['rps', 'latency_ms.p99', 'app_cpu_us_per_request.total', 'cost_us_per_request.app']
        : ['reason'];
    for (const key of must) {
      assert.ok(shown.has(`scenarios[${String(i)}].${key}`), `${s.name}: ${key} shown`);
    }
  }
  // The run's checks of itself, and its verdict on them, are on the page whenever made.
  const shownFields = new Set(findings.figures.map((f) => f.field));
  const checks = [
    ...(report.controls
      ? [
          'controls.aa.holds',
          report.controls.calibration
            ? 'controls.calibration.holds'
            : 'controls.calibration_skipped',
        ]
      : []),
    ...(report.unreliable === undefined ? [] : ['unreliable']),
  ];
  for (const field of checks) assert.ok(shownFields.has(field), `${field} shown`);
}
