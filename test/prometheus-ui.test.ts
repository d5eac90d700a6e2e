import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { freeStackPorts, STACK_CLI_MAIN } from '@obscost/infra';
import { expectedRequests, query, type Counts } from './like-for-like-support.js';
import { benchJson, run, waitFor } from './support.js';

/**
 * The like-for-like view as a user sees it, with no Grafana to be had: Prometheus's own web
 * UI (Debian's, the classic one) in headless Chromium, graphing every approach's rate1m and
 * sum from a live `npm run stack` under load. The screenshot is kept for a person to look at.
 */

const QUERIES = ['approach:obscost_requests:rate1m', 'approach:obscost_requests:sum'];
const SCREENSHOT_COPY = '/tmp/obscost-prometheus-ui.png';
const LOAD = { rate: 100, seconds: 50 };

/** Debian's Chromium, as lib/testing's report check launches it: no sandbox as root, no network of its own. */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-gpu',
  ],
};

/** `npm run stack` up on free ports in a work directory of the test's own, down after `t`. */
async function stackUp(t: TestContext): Promise<{ app: string; prometheus: string }> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'obscost-prometheus-ui-'));
  const env: NodeJS.ProcessEnv = {
    ...(await freeStackPorts()),
    OBSCOST_WORK_DIR: workDir,
    APP_LOG_FILE: path.join(workDir, 'app/requests.log'),
    KAFKA_EVENTS_PARTITIONS: '1',
  };
  const stack = (command: string) => run(process.execPath, [STACK_CLI_MAIN, command], env);
  t.after(async () => {
    await stack('down');
    rmSync(workDir, { recursive: true, force: true });
  });
  const up = await stack('up');
  assert.equal(up.code, 0, up.stdout + up.stderr);
  return {
    app: `http://127.0.0.1:${env.APP_PORT ?? ''}`,
    prometheus: `http://127.0.0.1:${env.PROMETHEUS_PORT ?? ''}`,
  };
}

/** The classic graph page with one graph per query, over the last minute, the stack's whole life so far. */
function graphPage(prometheus: string): string {
  const params = new URLSearchParams();
  QUERIES.forEach((expr, i) => {
    params.set(`g${i}.expr`, expr);
    params.set(`g${i}.tab`, '0');
    params.set(`g${i}.range_input`, '1m');
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
  const browser = await chromium.launch(CHROMIUM);
  t.after(() => browser.close());
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
    const { app, prometheus } = await stackUp(t);
    const url = `${app}/ping`;
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
      'every approach to have a rate1m',
      async () => {
        rates = await query(prometheus, QUERIES[0] ?? '');
        return Object.keys(expectedRequests(0)).every((key) => (rates[key] ?? 0) > 0);
      },
      40_000,
      1_000,
    ).catch(() => assert.fail(`rate1m ${JSON.stringify(rates)}`));
    const graphs = await screenshotUnderLoad(t, prometheus);
    t.diagnostic(`legends ${JSON.stringify(graphs.map((g) => g.legend))}`);
    const finished = await load;
    assert.equal(finished.errors, 0);
  },
);
