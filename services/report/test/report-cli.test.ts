import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { formatComparison } from '../src/compare.js';
import { formatTable } from '../src/table.js';
import { readReport } from '../src/validate.js';

const CLI = path.resolve(import.meta.dirname, '../src/report-cli.js');
const FIXTURE = path.resolve(import.meta.dirname, '../../test/fixtures/report.json');

function report(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test(
  'show prints the terminal table; compare sets two reports side by side',
  {
    timeout: 30_000,
  },
  () => {
    const fixture = readReport(FIXTURE);
    assert.deepEqual(report('show', FIXTURE), {
      code: 0,
      stdout: formatTable(fixture),
      stderr: '',
    });
    assert.deepEqual(report('compare', FIXTURE, FIXTURE), {
      code: 0,
      stdout: formatComparison(fixture, fixture, [FIXTURE, FIXTURE]),
      stderr: '',
    });
  },
);

test('html writes the page beside the report, or where it is told', { timeout: 30_000 }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-report-cli-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const json = path.join(dir, 'report.json');
  writeFileSync(json, readFileSync(FIXTURE));
  assert.equal(report('html', json).code, 0);
  assert.match(readFileSync(path.join(dir, 'report.html'), 'utf8'), /^<!doctype html>/);
  const elsewhere = path.join(dir, 'elsewhere.html');
  assert.deepEqual(report('html', json, elsewhere), {
    code: 0,
    stdout: '',
    stderr: `report: ${elsewhere}\n`,
  });
});

test('bad usage is REPORT_USAGE: its line, the usage, exit 2', { timeout: 30_000 }, () => {
  for (const [args, line] of [
    [[], 'which command: show, html or compare?'],
    [['draw', FIXTURE], 'unknown command "draw": show, html or compare'],
    [['compare', FIXTURE], 'compare takes two reports: compare A.json B.json'],
    [['show'], 'show takes one report: show A.json'],
    [['--fast'], "Unknown option '--fast'."],
  ] as const) {
    const run = report(...args);
    assert.equal(run.code, 2, line);
    assert.equal(run.stdout, '');
    assert.ok(run.stderr.startsWith(`report: ${line}`), run.stderr);
    assert.ok(run.stderr.includes('\nusage: npm run report -- show A.json'), run.stderr);
  }
  const help = report('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: npm run report -- show A.json/);
});

test(
  'an invalid report is REPORT_INVALID: the file and its first problem, exit 1',
  {
    timeout: 30_000,
  },
  (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-report-cli-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const bad = path.join(dir, 'bad.json');
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { settings: { rate: unknown } };
    fixture.settings.rate = -1;
    writeFileSync(bad, JSON.stringify(fixture));
    assert.deepEqual(report('show', bad), {
      code: 1,
      stdout: '',
      stderr: `report: ${bad} is not a valid report: settings.rate: must be >= 0\n`,
    });
  },
);
