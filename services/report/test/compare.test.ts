import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatComparison } from '../src/compare.js';
import { smallReport } from './small-report.js';

test('two reports side by side: A, B and B/A per scenario; differing settings first', () => {
  const a = smallReport(1);
  const b = smallReport(3);
  b.settings.rate = 1200;
  const [baseline, , ebpf] = b.scenarios;
  assert.ok(baseline && ebpf);
  baseline.rps = 2100;
  ebpf.rps = 1806;
  ebpf.accuracy.ebpf_tcp_send = {
    unit: 'bytes',
    counted: 3000000,
    truth: 3000000,
    exact: true,
    source: 'aggregator',
  };
  // bpftrace ran in B only; sidecar in neither.
  b.scenarios[1] = {
    ...structuredClone(ebpf),
    name: 'bpftrace',
    rps: 1500,
    accuracy: {
      bpftrace: { unit: 'requests', counted: 20990, truth: 21000, exact: false, source: 'x' },
    },
  };
  assert.deepEqual(formatComparison(a, b, ['a/report.json', 'b/report.json']).split('\n'), [
    'A  a/report.json',
    '   2026-12-01 10:00:00 UTC, 1 round, path /ping, 50 connections, 5 s open runs, open model at 1,000 req/s',
    'B  b/report.json',
    '   2026-12-01 10:00:00 UTC, 3 rounds, path /ping, 50 connections, 5 s open runs, open model at 1,200 req/s',
    '',
    'Settings differ:',
    '- open-model rate (req/s): 1,000 in A, 1,200 in B',
    '',
    'scenario   figure                         A         B   B/A',
    'baseline   req/s                      2,000     2,100  1.05',
    '           p99 ms                      1.00      1.00  1.00',
    '           app µs/req                  60.0      60.0  1.00',
    '           total µs/req                60.0      60.0  1.00',
    '           neighbours µs/req           30.0      30.0  1.00',
    '           accuracy app              100% ✓    100% ✓',
    'bpftrace   status                   skipped        ok',
    '           req/s                          -     1,500     -',
    '           p99 ms                         -      1.10     -',
    '           app µs/req                     -      66.0     -',
    '           total µs/req                   -      75.0     -',
    '           neighbours µs/req              -      33.0     -',
    '           app vs baseline                -      1.10     -',
    '           total vs baseline              -      1.25     -',
    '           req/s vs baseline              -      0.95     -',
    '           p99 vs baseline                -      1.10     -',
    '           accuracy bpftrace              -  99.95% ✗',
    'ebpf-core  req/s                      1,900     1,806  0.95',
    '           p99 ms                      1.10      1.10  1.00',
    '           app µs/req                  66.0      66.0  1.00',
    '           total µs/req                75.0      75.0  1.00',
    '           neighbours µs/req           33.0      33.0  1.00',
    '           app vs baseline             1.10      1.10  1.00',
    '           total vs baseline           1.25      1.25  1.00',
    '           req/s vs baseline           0.95      0.95  1.00',
    '           p99 vs baseline             1.10      1.10  1.00',
    '           accuracy app              100% ✓    100% ✓',
    '           accuracy ebpf_tcp_send  99.97% ✗    100% ✓',
    '',
  ]);
});

test('a scenario measured in neither report is one status row', () => {
  const lines = formatComparison(smallReport(1), smallReport(1), ['a', 'b']).split('\n');
  assert.ok(lines.includes('bpftrace   status                   skipped   skipped'));
  assert.ok(!lines.some((line) => line.startsWith('Settings differ')));
});

test('a count not comparable is shown with its share, and no mark', () => {
  const a = smallReport(1);
  const ebpf = a.scenarios[2];
  assert.ok(ebpf);
  ebpf.accuracy.ebpf_socket_write = {
    unit: 'bytes',
    counted: 0,
    truth: 3000000,
    exact: false,
    source: 'observer',
    not_comparable: { bytes: 'the service sends with sendto' },
  };
  const lines = formatComparison(a, smallReport(1), ['a', 'b']).split('\n');
  assert.ok(
    lines.some((line) => /^ {11}accuracy ebpf_socket_write +0\.0% not comparable +- *$/.test(line)),
    lines.join('\n'),
  );
});
