import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { RunError } from '../src/errors.js';
import { parseRunArgs, SETTINGS } from '../src/settings.js';

test('defaults, flags, and --help', () => {
  assert.deepEqual(parseRunArgs([]), { durationMs: 5000, conns: 50 });
  assert.deepEqual(parseRunArgs(['--dur', '500ms', '--conns', '4']), {
    durationMs: 500,
    conns: 4,
  });
  assert.equal(parseRunArgs(['-h']), undefined);
});

test('a bad flag is a RUN_USAGE error naming it', () => {
  for (const [argv, message] of [
    [['--conns', '0'], '--conns must be a positive integer, got "0"'],
    [['--conns', '-3'], '--conns must be a positive integer, got "-3"'],
    [
      ['--dur', 'soon'],
      '--dur: invalid duration "soon": use a number with a unit, e.g. 500ms, 20s, 1m30s',
    ],
    [['--nope'], "Unknown option '--nope'"],
  ] as const) {
    assert.throws(
      () => parseRunArgs(argv),
      (err: unknown) => err instanceof RunError && err.exitCode === 2 && err.message === message,
    );
  }
});

test("the docs' flags table is the settings table", () => {
  const page = readFileSync(
    path.resolve(import.meta.dirname, '../../../../docs/infrastructure.md'),
    'utf8',
  );
  const rows = docRows(SETTINGS);
  assert.deepEqual(markdownTableRows(page, rows[0] ?? []), rows);
});
