import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareFigures, formatComparison, parseFigures } from '../src/compare.js';
import type { LoadResult } from '../src/load-result.js';
import { formatSummary } from '../src/summary.js';

const RESULT: LoadResult = {
  url: 'http://127.0.0.1:8080/ping',
  model: 'closed',
  conns: 50,
  requests: 1000,
  connects: 51,
  status: { '200': 990, '503': 10 },
  errors: 12,
  error_kinds: { connect: 1, read: 1, timeout: 0, non2xx: 10 },
  duration_s: 2,
  rps: 500,
  bytes: 153000,
  bytes_per_s: 76500,
  latency_ms: { p50: 1.5, p90: 2.25, p99: 4, p999: 8.125, mean: 1.75, max: 9 },
  latency_distribution: [
    { percentile: 50, ms: 1.5 },
    { percentile: 100, ms: 9 },
  ],
  cpu_s: { user: 1.25, system: 0.5 },
  first_error: 'HTTP status 503',
};

test('the text summary reads back as the same figures as the JSON output', () => {
  const fromText = parseFigures(formatSummary(RESULT, 2000), 'text');
  const fromJson = parseFigures(JSON.stringify(RESULT), 'json');
  fromJson.delete('conns');
  assert.deepEqual(fromText, fromJson);
  assert.equal(fromText.get('latency_ms.p999'), 8.125);
  assert.equal(fromText.get('error_kinds.non2xx'), 10);
  assert.equal(fromText.get('status.503'), 10);
});

test("an open-model run's schedule lag reads back from its text summary", () => {
  const open: LoadResult = {
    ...RESULT,
    model: 'open',
    rate: 500,
    schedule_lag_ms: { p50: 0.045, p90: 0.06, p99: 1.25, p999: 2.5, mean: 0.07, max: 3 },
  };
  const text = formatSummary(open, 2000);
  assert.match(text, /^schedule_lag_ms\n {2}p50 {9}0\.045$/m);
  const fromJson = parseFigures(JSON.stringify(open), 'json');
  fromJson.delete('conns');
  fromJson.delete('rate');
  assert.deepEqual(parseFigures(text, 'text'), fromJson);
  assert.equal(fromJson.get('schedule_lag_ms.p99'), 1.25);
});

test('the text summary layout is stable', () => {
  assert.equal(
    formatSummary(RESULT, 2000),
    `bench http://127.0.0.1:8080/ping: 50 connections, closed model, 2s
requests      1000
  status 200  990
  status 503  10
connects      51
errors        12
  connect     1
  read        1
  timeout     0
  non-2xx     10
duration_s    2.000
rps           500.0
bytes         153000
bytes_per_s   76500.0
latency_ms
  p50         1.500
  p90         2.250
  p99         4.000
  p99.9       8.125
  mean        1.750
  max         9.000
cpu_s
  user        1.250
  system      0.500
first_error   HTTP status 503
`,
  );
});

test('compare gives delta and ratio for every figure, b against a', () => {
  const a = parseFigures(JSON.stringify(RESULT), 'a');
  const b = parseFigures(JSON.stringify({ ...RESULT, rps: 400, status: { '200': 1000 } }), 'b');
  const rows = compareFigures(a, b);
  assert.deepEqual(
    rows.find((row) => row.name === 'rps'),
    {
      name: 'rps',
      a: 500,
      b: 400,
      delta: -100,
      ratio: 0.8,
    },
  );
  assert.deepEqual(
    rows.find((row) => row.name === 'status.503'),
    {
      name: 'status.503',
      a: 10,
      b: null,
      delta: null,
      ratio: null,
    },
  );
  assert.equal(rows.find((row) => row.name === 'error_kinds.timeout')?.ratio, null);
  assert.deepEqual(
    rows.slice(0, 4).map((row) => row.name),
    ['requests', 'errors', 'duration_s', 'rps'],
  );
  const table = formatComparison(rows, ['a.txt', 'b.txt']);
  assert.match(table, /^figure\s+a\.txt\s+b\.txt\s+delta\s+ratio$/m);
  assert.match(table, /^rps\s+500\s+400\s+-100\s+0\.800$/m);
});

test('inputs that are not bench outputs are refused with the file name', () => {
  assert.throws(() => parseFigures('{"requests": ', 'x.json'), /x\.json: invalid JSON/);
  assert.throws(() => parseFigures('hello\n', 'x.txt'), /x\.txt: not a bench output/);
});
