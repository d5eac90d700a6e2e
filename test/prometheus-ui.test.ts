import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from '@obscost/testing';
import { expectedRequests, query, type Counts } from './like-for-like-support.js';
import { ownStack, prometheusOf } from './stack-support.js';
import { benchJson, waitFor } from './support.js';

/**
 * The like-for-like view as a user sees it, with no Grafana to be had: Prometheus's own web
 * UI (Debian's, the classic one) in headless Chromium, graphing every approach's rate1m and
 * sum from a live `npm run stack` under load. The screenshot is kept for a person to look at.
 */

const QUERIES = ['approach:obscost_requests:rate1m', 'approach:obscost_requests:sum'];
const SCREENSHOT_COPY = '/tmp/obscost-prometheus-ui.png';
/** Long enough for a minute's window to hold load alone, when every approach's rate agrees. */
const LOAD = { rate: 100, seconds: 85 };

/** The classic graph page with one graph per query over the last two minutes: the stack's whole life so far. */
function graphPage(prometheus: string): string {
  const params = new URLSearchParams();
  QUERIES.forEach((expr, i) => {
    params.set(`g${i}.expr`, expr);
    params.set(`g${i}.tab`, '0');
    params.set(`g${i}.range_input`, '2m');
  });
  return `${prometheus}/graph?${params.toString()}`;
}

interface DrawnGraph {
  legend: string[];
  lines: number;
}

/** The little of the DOM read here: the project compiles without the DOM's declarations. */
interface PageElement {
  readonly textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
}

/** Each graph's legend labels and its drawn lines (SVG paths with a length), in page order. */
function drawnGraphs(page: Page): Promise<DrawnGraph[]> {
  return page.$$eval('.graph_wrapper', (found) =>
    (found as unknown as PageElement[]).map((wrapper) => ({
      legend: Array.from(wrapper.querySelectorAll('.legend .label'), (l) => l.textContent ?? ''),
      lines: Array.from(wrapper.querySelectorAll('.graph svg path')).filter(
        (p) => (p.getAttribute('d') ?? '').length > 10,
      ).length,
    })),
  );
}

/** Every approach, as `approach="x",stage="y"` in a series' name in the legend. */
const SERIES = Object.keys(expectedRequests(0)).map((key) => {
  const [approach, stage] = key.split('/');
  return `approach="${approach ?? ''}",stage="${stage ?? ''}"`;
});

const complete = (graph: DrawnGraph): boolean =>
  graph.lines >= SERIES.length && SERIES.every((s) => graph.legend.some((l) => l.includes(s)));

async function screenshotUnderLoad(t: TestContext, prometheus: string): Promise<DrawnGraph[]> {
  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const elsewhere: string[] = [];
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(prometheus)) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  let graphs: DrawnGraph[] = [];
  // The screenshot is taken drawn or not: what the page showed is what to look at on failure.
  const drawn = await waitFor(
    'both graphs drawn with every approach in the legend',
    async () => {
      await page.goto(graphPage(prometheus));
      await page.waitForSelector('.legend .label', { timeout: 5_000 }).catch(() => undefined);
      graphs = await drawnGraphs(page);
      return graphs.length === QUERIES.length && graphs.every(complete);
    },
    40_000,
    2_000,
  ).then(
    () => true,
    () => false,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-prometheus-ui-shot-'));
  const file = path.join(dir, 'prometheus-ui.png');
  await page.screenshot({ path: file, fullPage: true });
  copyFileSync(file, SCREENSHOT_COPY);
  t.diagnostic(`screenshot ${file} (and ${SCREENSHOT_COPY})`);
  assert.ok(drawn, `drawn: ${JSON.stringify(graphs)}`);
  assert.deepEqual(elsewhere, [], 'the page asks nothing of any other server');
  return graphs;
}

test(
  "Prometheus's own graph page draws every approach's rate1m and sum under load",
  { timeout: 150_000 },
  async (t) => {
    const own = await ownStack(t);
    const up = await own.stack('up');
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const prometheus = prometheusOf(own.port);
    const url = `http://127.0.0.1:${own.port('APP_PORT')}/ping`;
    const load = benchJson([
      '-url',
      url,
      '-conns',
      '4',
      '-rate',
      String(LOAD.rate),
      '-dur',
      `${LOAD.seconds}s`,
    ]);
    t.after(() => load.catch(() => undefined));
    let rates: Counts = {};
    await waitFor(
      "every approach's rate1m within 10% of the load's",
      async () => {
        rates = await query(prometheus, QUERIES[0] ?? '');
        return Object.keys(expectedRequests(0)).every(
          (key) => Math.abs((rates[key] ?? 0) / LOAD.rate - 1) <= 0.1,
        );
      },
      (LOAD.seconds - 5) * 1000,
      1_000,
    ).catch(() => assert.fail(`rate1m ${JSON.stringify(rates)}`));
    const graphs = await screenshotUnderLoad(t, prometheus);
    t.diagnostic(`legends ${JSON.stringify(graphs.map((g) => g.legend))}`);
    const finished = await load;
    assert.equal(finished.errors, 0);
  },
);
