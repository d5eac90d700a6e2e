import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { BenchError } from '../src/errors.js';
import type { LoadOptions } from '../src/load-options.js';
import { parseCommand, SETTINGS, USAGE } from '../src/settings.js';

function load(argv: string[]): LoadOptions {
  const command = parseCommand(argv);
  assert.equal(command.kind, 'run');
  return command.load;
}

function usageError(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseCommand(argv),
    (err: unknown) => {
      assert.ok(err instanceof BenchError, `expected a BenchError for ${argv.join(' ')}`);
      assert.equal(err.code, 'BENCH_USAGE');
      assert.match(err.message, message);
      return true;
    },
  );
}

test("the seed's flags work as written, with one dash", () => {
  const options = load(['-url', 'http://127.0.0.1:8080/ping', '-conns', '50', '-dur', '20s']);
  assert.equal(options.url.href, 'http://127.0.0.1:8080/ping');
  assert.equal(options.conns, 50);
  assert.equal(options.durationMs, 20_000);
  assert.equal(options.rate, undefined);
});

test('long forms with two dashes and = work too', () => {
  const options = load(['--url=http://h:1/x?y=1', '--conns', '3', '--dur=1m', '--rate', '250']);
  assert.equal(options.url.href, 'http://h:1/x?y=1');
  assert.equal(options.conns, 3);
  assert.equal(options.durationMs, 60_000);
  assert.equal(options.rate, 250);
});

test('defaults', () => {
  const options = load([]);
  assert.equal(options.url.href, 'http://127.0.0.1:8080/ping');
  assert.equal(options.conns, 50);
  assert.equal(options.durationMs, 10_000);
  assert.equal(options.timeoutMs, 10_000);
  assert.equal(options.method, 'GET');
  assert.deepEqual(options.headers, []);
  assert.equal(options.body, undefined);
});

test('-requests alone runs until the requests are done', () => {
  const options = load(['-requests', '1000']);
  assert.equal(options.requests, 1000);
  assert.equal(options.durationMs, Infinity);
  assert.equal(load(['-requests', '10', '-dur', '5s']).durationMs, 5000);
});

test('method, headers and body', () => {
  const options = load([
    '-method',
    'post',
    '-H',
    'X-A: 1',
    '-header',
    'Accept:  text/plain ',
    '-body',
    'hi',
  ]);
  assert.equal(options.method, 'POST');
  assert.deepEqual(options.headers, [
    ['X-A', '1'],
    ['Accept', 'text/plain'],
  ]);
  assert.deepEqual(options.body, Buffer.from('hi'));
});

test('bad input is a usage error naming the flag', () => {
  usageError(['-url', 'not a url'], /-url is not a valid URL/);
  usageError(['-url', 'https://example.test/'], /-url must be an http:\/\/ URL/);
  usageError(['-conns', '0'], /-conns must be a positive integer, got "0"/);
  usageError(['-conns', '-5'], /-conns must be a positive integer, got "-5"/);
  usageError(['-conns', '2.5'], /-conns must be a positive integer/);
  usageError(['-dur', 'forever'], /-dur: invalid duration "forever"/);
  usageError(['-dur', '20'], /-dur: invalid duration "20"/);
  usageError(['-dur', '0s'], /-dur must be longer than zero/);
  usageError(['-rate', '0'], /-rate must be a positive number/);
  usageError(['-timeout', 'x'], /-timeout: invalid duration/);
  usageError(['-H', 'no colon'], /-header must look like 'Name: value'/);
  usageError(['-method', 'G T'], /-method must be an HTTP method name/);
  usageError(['-body', 'a', '-body-file', 'b'], /cannot be used together/);
  usageError(['-body-file', '/nonexistent/file'], /-body-file: cannot read/);
  usageError(['-bogus'], /Unknown option/);
  usageError(['stray'], /unexpected argument "stray"/);
  usageError(['compare', 'a'], /compare takes exactly two files/);
});

test('compare and help commands', () => {
  assert.deepEqual(parseCommand(['compare', 'a.txt', 'b.json', '--json']), {
    kind: 'compare',
    files: ['a.txt', 'b.json'],
    json: true,
  });
  assert.deepEqual(parseCommand(['-h']), { kind: 'help' });
});

test("the docs' flags table and -h come from the settings table", () => {
  const page = readFileSync(
    path.resolve(import.meta.dirname, '../../../../docs/app-and-bench.md'),
    'utf8',
  );
  const rows = docRows(SETTINGS, true);
  assert.deepEqual(markdownTableRows(page, rows[0] ?? []), rows);
  for (const flag of ['-url URL', '-dur D', "-H, -header 'K: V'", '-json']) {
    assert.ok(USAGE.includes(`  ${flag} `), flag);
  }
});
