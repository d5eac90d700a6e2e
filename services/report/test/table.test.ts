import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { readReport } from '../src/validate.js';
import { alignColumns, formatTable, wrap } from '../src/table.js';
import { smallReport } from './small-report.js';

const SERVICE_FIXTURE = path.resolve(
  import.meta.dirname,
  '../../test/fixtures/service-report.json',
);

/** Three rounds, a failed scenario, a warning and a run set aside. */
function eventfulReport() {
  const report = smallReport(3);
  report.warnings.push(
    'ebpf-core answered 930 of the 1000 req/s asked in its open run (round 2): above its ' +
      'capacity, its latency is mostly queueing',
  );
  const bpftrace = report.scenarios[1];
  assert.ok(bpftrace);
  bpftrace.status = 'failed';
  bpftrace.reason = 'round 1: bpftrace exited with code 1';
  report.set_aside.push({
    scenario: 'ebpf-core',
    round: 2,
    foreign: 0.08,
    reason: "foreign load 0.080 of the app's CPUs in the closed run, above --max-foreign 0.05",
  });
  return report;
}

test('the terminal table of a small report, line by line', { timeout: 10_000 }, () => {
  assert.deepEqual(formatTable(eventfulReport()).split('\n'), [
    'started          2026-12-01 10:00:00 UTC',
    'finished         2026-12-01 10:02:30 UTC',
    "observed         the project's app",
    'load             path /ping, 50 connections, 3 rounds',
    'each round       a fresh app; warm-up 1 s, closed-model run 5 s, open-model run 5 s',
    'open-model rate  1,000 req/s (--rate)',
    'statistics       0.95 intervals; rounds fixed by --repeat',
    "checks           runs with a foreign load above 0.05 of the app's CPUs set aside; CPU counted by cgroup2",
    'BPF statistics   off (--bpf-stats on measures each BPF program)',
    'machine          4 CPUs; the app on CPU 3, the rest on CPUs 0,1,2; Linux 6.1.0; Node v20.19.2',
    '',
    'Cost a request: CPU µs a request in the open model at 1,000 req/s, the median over the rounds: the',
    "  app's own, the total of the app and every process the scenario adds, and the load generator's",
    "  (what the neighbours pay); each against the same round's baseline, with its 0.95 interval and what",
    '  it lets one say',
    'scenario   app µs            vs baseline  total µs            vs baseline  neighbours µs            vs baseline',
    'baseline     60.0                      -      60.0                      -           30.0                      -',
    'bpftrace   failed: round 1: bpftrace exited with code 1',
    'ebpf-core    66.0  1.10 (1.07–1.13) cost      75.0  1.25 (1.21–1.29) cost           33.0  1.10 (1.05–1.15) cost',
    '',
    "This run's checks: a second baseline every round, whose ratios to the first must contain 1 (the",
    '  smallest cost this run resolves is about its interval), and the baseline app with a known cost a',
    '  request, whose ratio to the baseline plus that cost must contain 1',
    'check                  figure                                      ratio',
    "this run's resolution  A/A app a request                1.01 (0.99–1.03)  ✓ holds",
    '                       A/A total a request              1.01 (0.99–1.03)',
    '                       A/A neighbours a request         0.99 (0.96–1.02)',
    'calibration            +6 µs a request, measured +5.80  0.99 (0.97–1.01)  ✓ holds',
    '',
    "Capacity and latency: req/s in the closed model, its ratio only where the app's CPU set it in both",
    "  runs; latency (ms) in the open model at 1,000 req/s; ratios to the same round's baseline with",
    '  their intervals',
    'scenario   status  req/s       vs baseline  p50 ms  p99 ms  p99.9 ms                p99 vs baseline',
    'baseline   ok      2,000                 -   0.200    1.00      2.50                              -',
    'bpftrace   failed  round 1: bpftrace exited with code 1',
    'ebpf-core  ok      1,900  0.95 (0.92–0.98)   0.210    1.10      2.75  1.10 (0.90–1.30) inconclusive',
    '',
    "CPU and memory: the app's CPU per request in the open model; the app's peak RSS; CPU seconds over",
    '  both measured runs and peak RSS of each process the scenario added',
    'scenario   app µs/req  user  system   app RSS  added process  user s  system s  peak RSS',
    'baseline         60.0  40.0    20.0  50.0 MiB  -',
    'bpftrace   failed: round 1: bpftrace exited with code 1',
    'ebpf-core        66.0  42.0    24.0  50.0 MiB  observer        0.500     0.250  30.0 MiB',
    '                                               kafka            2.00     0.500   600 MiB',
    '',
    "Accuracy: each approach's count against the truth, what the load generator received, summed over the",
    '  rounds; exact when equal in every round; a measure that counts something else on the service',
    '  observed is shown, marked not comparable, and judged neither way',
    'scenario   approach       measure                      counted/truth',
    'baseline   app            requests                     22,000/22,000  ✓ exact',
    'bpftrace   failed: round 1: bpftrace exited with code 1',
    'ebpf-core  app            requests                     21,000/21,000  ✓ exact',
    '           ebpf_tcp_send  bytes                  2,999,000/3,000,000  ✗ 1,000 missing (99.97%)',
    '                          bytes at the observer  3,000,000/3,000,000  ✓ exact',
    '',
    "BPF programs: the kernel's statistics, summed over the rounds; a program's run time is CPU time of",
    '  the process it ran for, mostly the app',
    'scenario   owner     program     type          runs  ns/run',
    'ebpf-core  observer  write_exit  tracepoint  21,000     200',
    '',
    'Warnings:',
    '- ebpf-core answered 930 of the 1000 req/s asked in its open run (round 2): above its capacity, its',
    '  latency is mostly queueing',
    "- set aside: ebpf-core, round 2: foreign load 0.080 of the app's CPUs in the closed run, above",
    '  --max-foreign 0.05',
    '',
  ]);
});

test("one round: each ratio is that round's, with no interval", { timeout: 10_000 }, () => {
  const lines = formatTable(smallReport(1)).split('\n');
  assert.ok(
    lines.includes(
      'ebpf-core    66.0  1.10 inconclusive      75.0  1.25 inconclusive           33.0  1.10 inconclusive',
    ),
  );
  assert.ok(
    lines.includes(
      'ebpf-core  ok       1,900         0.95   0.210    1.10      2.75  1.10 inconclusive',
    ),
  );
  assert.ok(lines.includes('bpftrace   skipped  bpftrace is not installed'));
});

test('an interrupted comparison says so first', { timeout: 10_000 }, () => {
  const report = smallReport(1);
  report.interrupted = 'SIGINT';
  assert.equal(formatTable(report).split('\n')[2], 'interrupted      SIGINT');
});

test('columns align left or right; a note runs on without widening them', () => {
  assert.deepEqual(
    alignColumns(
      [{ align: 'left' }, { align: 'right' }],
      [['a', '1'], ['bbb', '22'], { lead: ['c'], note: 'a long note' }],
    ),
    ['a     1', 'bbb  22', 'c    a long note'],
  );
});

test('prose wraps between words, later lines indented', () => {
  assert.deepEqual(wrap('one two three four', 9, '  '), ['one two', '  three', '  four']);
});

test('an unreliable run says so before anything else', { timeout: 10_000 }, () => {
  const report = smallReport(3);
  report.unreliable = "the A/A control's ratios to the baseline do not all contain 1";
  assert.equal(
    formatTable(report).split('\n')[0],
    "UNRELIABLE: the A/A control's ratios to the baseline do not all contain 1",
  );
});

test('--production-rate: the cores table after the cost a request, a row an approach', () => {
  const report = smallReport(3);
  report.settings.production_rate = 50_000;
  const ebpf = report.scenarios[2];
  assert.ok(ebpf);
  ebpf.at_production_rate = {
    host_cores: { estimate: 0.3, ci_low: 0.25, ci_high: 0.35, confidence: 0.95, rounds: 3 },
    pipeline_cores: { estimate: 1.2, ci_low: 1.1, ci_high: 1.31, confidence: 0.95, rounds: 3 },
  };
  const lines = formatTable(report).split('\n');
  const title = lines.findIndex((l) => l.startsWith('At 50,000 req/s:'));
  assert.ok(title > lines.findIndex((l) => l.startsWith('Cost a request')), lines.join('\n'));
  const rows = lines.slice(title).filter((l) => /^(scenario|bpftrace|ebpf-core) /.test(l));
  assert.deepEqual(rows.slice(0, 3), [
    'scenario   cores on the host  cores in the pipeline',
    'bpftrace   skipped: bpftrace is not installed',
    'ebpf-core   0.30 (0.25–0.35)       1.20 (1.10–1.31)',
  ]);
});

test('a measure not comparable shows its count, no verdict, and a note saying why', () => {
  const lines = formatTable(readReport(SERVICE_FIXTURE)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('scenario       approach'));
  assert.deepEqual(lines.slice(start, lines.indexOf('', start)), [
    'scenario       approach           measure                             counted/truth',
    'bpftrace       bpftrace           requests                      1,186,264/1,186,278  not comparable (1)',
    '                                  bytes                     143,512,831/143,539,638  ✗ 26,807 missing (99.98%)',
    'ebpf-core      ebpf_uprobe        requests                          754,966/754,966  ✓ exact',
    '                                  bytes                        3,774,830/91,350,886  not comparable (2)',
    '                                  requests at the observer          754,966/754,966  ✓ exact',
    '               ebpf_socket_write  bytes                       91,350,886/91,350,886  ✓ exact',
    '                                  bytes at the observer       91,350,886/91,350,886  ✓ exact',
    '               ebpf_tcp_send      bytes                       91,350,886/91,350,886  ✓ exact',
    '                                  bytes at the observer       91,350,886/91,350,886  ✓ exact',
    'ebpf-inkernel  ebpf_uprobe        requests                          835,366/835,366  ✓ exact',
    '                                  bytes                       4,176,830/101,079,286  not comparable (2)',
    '               ebpf_socket_write  bytes                     101,079,286/101,079,286  ✓ exact',
    '               ebpf_tcp_send      bytes                     101,079,286/101,079,286  ✓ exact',
    '(1) not comparable: write and writev calls: one a response only where the service writes each',
    '    response whole',
    "(2) not comparable: the marker's argument is the service's own measure, not bytes on the wire",
  ]);
});

test('the write probe that missed what the service sent otherwise is marked, with why', () => {
  const report = smallReport();
  const ebpf = report.scenarios[2];
  assert.ok(ebpf);
  const why = 'the TCP probe saw every byte sent and write/writev fewer';
  ebpf.accuracy.ebpf_socket_write = {
    unit: 'bytes',
    counted: 0,
    truth: 3000000,
    exact: false,
    source: 'observer',
    observer: { counted: 0, truth: 3000000, exact: false },
    not_comparable: { bytes: why },
  };
  const lines = formatTable(report).split('\n');
  const start = lines.findIndex((l) => l.startsWith('Accuracy:'));
  assert.deepEqual(lines.slice(start + 4, lines.indexOf('', start)), [
    'baseline   app                requests                     22,000/22,000  ✓ exact',
    'bpftrace   skipped: bpftrace is not installed',
    'ebpf-core  app                requests                     21,000/21,000  ✓ exact',
    '           ebpf_tcp_send      bytes                  2,999,000/3,000,000  ✗ 1,000 missing (99.97%)',
    '                              bytes at the observer  3,000,000/3,000,000  ✓ exact',
    '           ebpf_socket_write  bytes                          0/3,000,000  not comparable (1)',
    '                              bytes at the observer          0/3,000,000  not comparable (1)',
    `(1) not comparable: ${why}`,
  ]);
});
