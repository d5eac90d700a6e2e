import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startChild } from '@obscost/process';
import { histogramQuantile, parseExposition, seriesValue, sumOf } from '../src/index.js';

/** What the parser must read: `promtool check metrics` accepts it (the last test). */
const EXPOSITION = String.raw`# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"} 3 1395066363000
http_requests_total{code="200",method="get",} 5e2

# A comment that is neither HELP nor TYPE.
# HELP file_access_time_seconds Escaped label values.
# TYPE file_access_time_seconds gauge
file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
file_access_time_seconds{path="{a},b=\"c\"",error=""} -0.5
# HELP odd_values Values that are not numbers, and a timestamp before the epoch.
# TYPE odd_values gauge
odd_values{problem="division by zero"} +Inf -3982045
odd_values{problem="below"} -Inf
odd_values{problem="nothing"} NaN
# HELP delay_seconds A histogram.
# TYPE delay_seconds histogram
delay_seconds_bucket{topic="a",le="1"} 2
delay_seconds_bucket{topic="a",le="2"} 6
delay_seconds_bucket{topic="a",le="+Inf"} 8
delay_seconds_sum{topic="a"} 4.5
delay_seconds_count{topic="a"} 8
delay_seconds_bucket{topic="b",le="1"} 2
delay_seconds_bucket{topic="b",le="2"} 2
delay_seconds_bucket{topic="b",le="+Inf"} 2
delay_seconds_sum{topic="b"} 0.1
delay_seconds_count{topic="b"} 2
# HELP minimal_line_total A sample with neither labels nor timestamp.
# TYPE minimal_line_total counter
minimal_line_total 12.47
`;

test('every sample is read: labels unescaped, NaN, ±Inf and timestamps', () => {
  const samples = parseExposition(EXPOSITION);
  assert.equal(samples.length, 19);
  assert.deepEqual(samples[0], {
    name: 'http_requests_total',
    labels: { method: 'post', code: '200' },
    value: 1027,
    timestampMs: 1395066363000,
  });
  assert.deepEqual(samples[2], {
    name: 'http_requests_total',
    labels: { code: '200', method: 'get' },
    value: 500,
  });
  assert.deepEqual(samples[3]?.labels, {
    path: 'C:\\DIR\\FILE.TXT',
    error: 'Cannot find file:\n"FILE.TXT"',
  });
  assert.deepEqual(samples[4]?.labels, { path: '{a},b="c"', error: '' });
  assert.deepEqual(
    samples.slice(5, 8).map((s) => [s.value, s.timestampMs]),
    [
      [Infinity, -3982045],
      [-Infinity, undefined],
      [NaN, undefined],
    ],
  );
  assert.deepEqual(samples.at(-1), { name: 'minimal_line_total', labels: {}, value: 12.47 });
});

test('a line that is not a sample fails the parse, naming it', () => {
  for (const [line, expected] of [
    ['9starts_with_a_digit 1', /line 2 .*expected a metric name at column 1/],
    ['no_value', /expected a number/],
    ['bad_value x', /expected a number/],
    ['unclosed{a="b} 1', /expected a closing quote/],
    ['unquoted{a=b} 1', /expected a quoted label value/],
    ['bad_escape{a="\\t"} 1', /after a backslash/],
    ['no_comma{a="b" c="d"} 1', /expected , or }/],
    ['float_time 1 2.5', /expected a timestamp in milliseconds/],
    ['too_much 1 2 3', /expected the end of the line/],
  ] as const) {
    assert.throws(() => parseExposition(`ok 1\n${line}`), expected, line);
  }
});

test('sumOf adds every sample of one metric whose labels include those asked', () => {
  assert.equal(sumOf(EXPOSITION, 'http_requests_total'), 1530);
  assert.equal(sumOf(EXPOSITION, 'http_requests_total', { code: '200' }), 1527);
  assert.equal(sumOf(EXPOSITION, 'http_requests_total', { code: '200', method: 'get' }), 500);
  assert.equal(sumOf(EXPOSITION, 'http_requests_total', { code: '500' }), 0);
  assert.equal(sumOf(EXPOSITION, 'http_requests'), 0, 'a prefix is another metric');
  assert.equal(sumOf(EXPOSITION, 'delay_seconds_count'), 10);
  assert.equal(sumOf('', 'minimal_line_total'), 0);
});

test('seriesValue finds the series with exactly those labels, in any order', () => {
  assert.equal(seriesValue(EXPOSITION, 'http_requests_total{method="get",code="200"}'), 500);
  assert.equal(seriesValue(EXPOSITION, 'http_requests_total{code="400",method="post"}'), 3);
  assert.equal(seriesValue(EXPOSITION, 'http_requests_total{code="400"}'), 0, 'labels missing');
  assert.equal(seriesValue(EXPOSITION, 'minimal_line_total'), 12.47);
  assert.equal(seriesValue(EXPOSITION, 'absent_total'), 0);
});

test('histogramQuantile interpolates within the bucket, over the series asked for', () => {
  // topic a: 8 observations, the median (rank 4) half-way through (1, 2].
  assert.equal(histogramQuantile(EXPOSITION, 'delay_seconds', 0.5, { topic: 'a' }), 1.5);
  // Rank 7.2 falls in +Inf: the highest finite bound.
  assert.equal(histogramQuantile(EXPOSITION, 'delay_seconds', 0.9, { topic: 'a' }), 2);
  // Both topics added up: 10 observations, 4 of them at most 1.
  assert.equal(histogramQuantile(EXPOSITION, 'delay_seconds', 0.4), 1);
  assert.ok(Number.isNaN(histogramQuantile(EXPOSITION, 'absent_seconds', 0.5)));
});

test('promtool check metrics finds the sample valid', { timeout: 30_000 }, async () => {
  const promtool = startChild('promtool', ['check', 'metrics'], { stdin: 'pipe' });
  promtool.process.stdin?.end(EXPOSITION);
  assert.equal(await promtool.closed, 0, promtool.output());
  assert.equal(promtool.output(), '');
});
