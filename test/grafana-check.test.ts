import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { grafanaCheckBinary, loadInfraConfig } from '@obscost/infra';
import { DASHBOARD_DIR, dashboardFiles } from './dashboard-support.js';
import { run } from './support.js';

/**
 * The dashboards decoded strictly into the Grafana Foundation SDK's own types by
 * infra/grafana-check, which setup builds: Grafana itself cannot be had here.
 */

const CHECKER = grafanaCheckBinary(loadInfraConfig());
const TIMEOUT = { timeout: 30_000 };

function checker(): string {
  assert.ok(existsSync(CHECKER), `${CHECKER} is missing: run "npm run setup"`);
  return CHECKER;
}

test("every dashboard decodes strictly into Grafana's own types", TIMEOUT, async () => {
  const files = dashboardFiles().map((file) => path.join(DASHBOARD_DIR, file));
  const result = await run(checker(), files);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n').length, files.length, result.stdout);
});

/** A dashboard of the project's with one change, written where the test cleans up. */
function variant(t: { after(fn: () => void): void }, change: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-grafana-check-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const original = readFileSync(path.join(DASHBOARD_DIR, 'like-for-like.json'), 'utf8');
  const changed = change(original);
  assert.notEqual(changed, original, 'the fixture must differ from the dashboard');
  const file = path.join(dir, 'changed.json');
  writeFileSync(file, changed);
  return file;
}

test(
  'an unknown field is refused, naming the file, the panel and the field',
  TIMEOUT,
  async (t) => {
    const file = variant(t, (text) =>
      text.replace('"legendFormat": "{{approach}} ({{stage}})"', '$&, "legendFromat": "x"'),
    );
    const result = await run(checker(), [file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /changed\.json: panel "Requests per second, per approach": panels\[0\]\.targets\[0\]\.Dataquery: unexpected field 'legendFromat'/,
    );
  },
);

test("an unknown field in a panel kind's field config is refused", TIMEOUT, async (t) => {
  const file = variant(t, (text) =>
    text.replace('"unit": "reqps"', '$&, "custom": { "lineWidht": 1 }'),
  );
  const result = await run(checker(), [file]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /panels\[0\]\.fieldConfig\.defaults\.custom\.\w+: unexpected field 'lineWidht'/,
  );
});

test('a duplicate key is refused, naming where', TIMEOUT, async (t) => {
  const file = variant(t, (text) => text.replace('"unit": "reqps"', '$&, "unit": "short"'));
  const result = await run(checker(), [file]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /panel "Requests per second, per approach": panels\[0\]\.fieldConfig\.defaults\.unit: duplicate key/,
  );
});
