import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { renderHtml } from '../src/html.js';
import { readReport } from '../src/validate.js';
import { checkReportInBrowser } from '@obscost/testing';
import { smallReport } from './small-report.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../test/fixtures/report.json');
/** A run on the seed's Go service: its marker's bytes and bpftrace's requests not comparable. */
const SERVICE_FIXTURE = path.resolve(
  import.meta.dirname,
  '../../test/fixtures/service-report.json',
);

test(
  "the fixture's page in headless Chromium: no network, every chart drawn, every figure the report's",
  {
    timeout: 120_000,
  },
  async (t) => {
    const report = readReport(FIXTURE);
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-html-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const page = path.join(dir, 'report.html');
    writeFileSync(page, renderHtml(report));
    // Kept after the test, to be looked at: REPORT_SCREENSHOT, or one file in the temp dir.
    const screenshot =
      process.env['REPORT_SCREENSHOT'] ?? path.join(tmpdir(), 'obscost-report-screenshot.png');
    await checkReportInBrowser(t, page, report, screenshot);
    t.diagnostic(`screenshot: ${screenshot}`);
  },
);

test(
  "a service's page in headless Chromium: the measures not comparable marked, with why",
  { timeout: 120_000 },
  async (t) => {
    const report = readReport(SERVICE_FIXTURE);
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-html-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const page = path.join(dir, 'report.html');
    const html = renderHtml(report);
    writeFileSync(page, html);
    const screenshot = path.join(dir, 'report.png');
    await checkReportInBrowser(t, page, report, screenshot);
    const why = report.scenarios[2]?.accuracy.ebpf_uprobe?.not_comparable?.bytes ?? '';
    assert.ok(why !== '');
    assert.ok(
      html.includes(
        `<li>(2) not comparable: <span data-field="scenarios[2].accuracy.ebpf_uprobe.not_comparable.bytes"`,
      ),
    );
    assert.equal(html.match(/not comparable \(2\)<\/td>/g)?.length, 2);
    assert.ok(html.includes('Grey bars count something else than the truth on this service'));
    assert.ok(html.includes('under the same load on a fresh service:'));
  },
);

test('text from the report is escaped, wherever it lands', { timeout: 30_000 }, () => {
  const report = smallReport();
  const hostile = '<img src=x onerror="alert(1)">&';
  report.warnings.push(hostile);
  const ebpf = report.scenarios[2];
  const observer = ebpf?.processes[1];
  assert.ok(ebpf && observer);
  observer.name = hostile;
  ebpf.description = hostile;
  report.interrupted = hostile;
  const html = renderHtml(report);
  assert.ok(!html.includes('<img'), 'no element made of report text');
  assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;'));
});

test('the page reaches for nothing outside itself', { timeout: 30_000 }, () => {
  const html = renderHtml(readReport(FIXTURE));
  // url(#id) is how the SVG clips to its own shapes; any other url( would fetch.
  assert.doesNotMatch(html, /<script|<link|<iframe|<img|@import|url\((?!#)/i);
  // Only SVG's namespaces and the schema's name may look like addresses.
  const addresses = [...html.matchAll(/(?:https?:)?\/\/[\w.-]+\/[^\s"'<>)]*/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(addresses)].sort(), [
    'http://www.w3.org/1999/xlink',
    'http://www.w3.org/2000/svg',
  ]);
});

test('a report with nothing measured has no charts, and says why', { timeout: 30_000 }, () => {
  const report = smallReport();
  report.scenarios = report.scenarios.filter((s) => s.status === 'skipped');
  const html = renderHtml(report);
  assert.ok(html.includes('No scenario was measured: nothing to draw.'));
  assert.ok(!html.includes('<svg'));
  assert.ok(html.includes('data-value="bpftrace is not installed"'));
});

test(
  'figures that cannot be drawn are left out, and the page still ends',
  { timeout: 30_000 },
  () => {
    const report = smallReport(3);
    const ebpf = report.scenarios[2];
    assert.ok(ebpf?.overhead);
    // A baseline round that measured no CPU: its ratio is Infinity, or NaN for 0/0.
    ebpf.overhead.app = {
      estimate: NaN,
      ci_low: 1.05,
      ci_high: Infinity,
      confidence: 0.95,
      rounds: 3,
      verdict: 'inconclusive',
    };
    ebpf.latency_distribution.unshift({ percentile: 0, ms: 0 });
    const html = renderHtml(report);
    assert.equal(html.match(/<svg/g)?.length, 6);
  },
);
