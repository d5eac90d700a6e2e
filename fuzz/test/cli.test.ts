import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../fuzz/corpus', import.meta.url));

function fuzz(t: { after: (fn: () => void) => void }, ...args: string[]) {
  const findings = mkdtempSync(path.join(tmpdir(), 'obscost-findings-'));
  t.after(() => {
    rmSync(findings, { recursive: true, force: true });
  });
  const result = spawnSync(process.execPath, [MAIN, '--findings', findings, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...result, findings: readdirSync(findings) };
}

test(
  'npm run fuzz: each target replays its whole committed corpus, then fuzzes, and finds nothing',
  { timeout: 150_000 },
  (t) => {
    const result = fuzz(t, '--dur', '15s', '--seed', '1');
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(result.findings, []);
    for (const target of ['aggregator-record', 'bench-response']) {
      const seeds = readdirSync(path.join(CORPUS, target)).length;
      assert.match(
        result.stdout,
        new RegExp(
          `^fuzz: ${target}: [\\d,]+ inputs in \\d+ s \\([\\d,]+/s\\), the ${seeds} of the corpus first; `,
          'm',
        ),
      );
    }
  },
);

test('npm run fuzz: an unknown target is a usage error naming it', { timeout: 30_000 }, (t) => {
  const result = fuzz(t, '--target', 'nope');
  assert.equal(result.status, 2);
  assert.equal(
    result.stderr,
    'fuzz: --target must be aggregator-record or bench-response, got "nope"\nrun with --help for usage\n',
  );
});
