import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sumOf } from '@obscost/measure';
import {
  accuracyOf,
  NOT_COMPARABLE_BECAUSE,
  settle,
  withComparability,
  type Counts,
} from '../src/accuracy.js';

const EXPOSITION = `# HELP app_write_bytes_total Bytes written.
# TYPE app_write_bytes_total counter
app_write_bytes_total{fd="socket",pid="7"} 1200
app_write_bytes_total{fd="file",pid="7"} 30
app_write_bytes_total{fd="socket",pid="8"} 5.5e3 1700000000000
app_write_bytes_total_created{fd="socket"} 99
app_write_events 4
app_write_events_total 6
`;

test('sumOf adds every sample of one metric whose labels match, and nothing else', () => {
  assert.equal(sumOf(EXPOSITION, 'app_write_bytes_total'), 6730);
  assert.equal(sumOf(EXPOSITION, 'app_write_bytes_total', { fd: 'socket' }), 6700);
  assert.equal(sumOf(EXPOSITION, 'app_write_bytes_total', { fd: 'pipe' }), 0);
  assert.equal(sumOf(EXPOSITION, 'app_write_events'), 4);
  assert.equal(sumOf('', 'app_write_events'), 0);
});

test('accuracy: requests or bytes against the truth, with bytes and the observer beside', () => {
  const counts: Counts = {
    sidecar: { requests: 10, bytes: 1500, source: 's' },
    ebpf_tcp_send: { bytes: 1499, source: 't', observer: { bytes: 1500 } },
  };
  assert.deepEqual(accuracyOf(counts, { requests: 10, bytes: 1500 }), {
    sidecar: {
      unit: 'requests',
      counted: 10,
      truth: 10,
      exact: true,
      source: 's',
      bytes: { counted: 1500, truth: 1500, exact: true },
    },
    ebpf_tcp_send: {
      unit: 'bytes',
      counted: 1499,
      truth: 1500,
      exact: false,
      source: 't',
      observer: { counted: 1500, truth: 1500, exact: true },
    },
  });
});

test('settle: returns once every count equals the truth', async () => {
  const readings = [0, 5, 10];
  let reads = 0;
  const counts = await settle(
    () => Promise.resolve({ app: { requests: readings[Math.min(reads++, 2)] ?? 0, source: 'a' } }),
    { requests: 10, bytes: 0 },
    { quietMs: 10_000, timeoutMs: 10_000, intervalMs: 1 },
  );
  assert.equal(counts.app?.requests, 10);
  assert.equal(reads, 3);
});

test('settle: a count that stays short is returned once it has not changed for quietMs', async () => {
  const started = Date.now();
  const counts = await settle(
    () => Promise.resolve({ bpftrace: { requests: 7, source: 'b' } }),
    { requests: 10, bytes: 0 },
    { quietMs: 50, timeoutMs: 10_000, intervalMs: 5 },
  );
  assert.equal(counts.bpftrace?.requests, 7);
  assert.ok(Date.now() - started >= 50);
});

test('accuracy: a measure not comparable keeps its count, and says why it is no verdict', () => {
  const counts: Counts = {
    ebpf_uprobe: {
      requests: 10,
      bytes: 900,
      source: 'u',
      observer: { requests: 10, bytes: 900 },
      notComparable: { bytes: 'the argument is the body' },
    },
    bpftrace: { requests: 12, source: 'b', notComparable: { requests: 'write calls' } },
  };
  assert.deepEqual(accuracyOf(counts, { requests: 10, bytes: 1500 }), {
    ebpf_uprobe: {
      unit: 'requests',
      counted: 10,
      truth: 10,
      exact: true,
      source: 'u',
      bytes: { counted: 900, truth: 1500, exact: false },
      observer: { counted: 10, truth: 10, exact: true },
      not_comparable: { bytes: 'the argument is the body' },
    },
    bpftrace: {
      unit: 'requests',
      counted: 12,
      truth: 10,
      exact: false,
      source: 'b',
      not_comparable: { requests: 'write calls' },
    },
  });
});

/** The write probe beside the TCP probe on a service, with the bytes each counted. */
function probes(write: number, tcp: number): Counts {
  const why = NOT_COMPARABLE_BECAUSE.sentOtherwise;
  return {
    ebpf_socket_write: { bytes: write, source: 'w', someCalls: { witness: 'ebpf_tcp_send', why } },
    ebpf_tcp_send: { bytes: tcp, source: 't' },
  };
}

test('the write probe is not comparable only where the TCP probe saw every byte and it fewer', () => {
  const truth = { requests: 10, bytes: 1500 };
  const judged = (write: number, tcp: number) =>
    withComparability(probes(write, tcp), truth).ebpf_socket_write?.notComparable;
  assert.deepEqual(judged(0, 1500), { bytes: NOT_COMPARABLE_BECAUSE.sentOtherwise });
  assert.deepEqual(judged(1400, 1500), { bytes: NOT_COMPARABLE_BECAUSE.sentOtherwise });
  // The service writes with write/writev: comparable, and exact.
  assert.equal(judged(1500, 1500), undefined);
  // Both short: events lost, not calls unseen; comparable, and inexact.
  assert.equal(judged(1400, 1450), undefined);
  // More than was sent is no call unseen either.
  assert.equal(judged(1600, 1500), undefined);
  const accuracy = accuracyOf(probes(0, 1500), truth);
  assert.deepEqual(accuracy.ebpf_socket_write, {
    unit: 'bytes',
    counted: 0,
    truth: 1500,
    exact: false,
    source: 'w',
    not_comparable: { bytes: NOT_COMPARABLE_BECAUSE.sentOtherwise },
  });
  assert.equal(accuracy.ebpf_tcp_send?.not_comparable, undefined);
});

test('settle: a measure not comparable is not waited for', async () => {
  let reads = 0;
  const counts = await settle(
    () => {
      reads++;
      return Promise.resolve({
        sidecar: { requests: 10, bytes: 7, source: 's', notComparable: { bytes: 'body' } },
      });
    },
    { requests: 10, bytes: 1500 },
    { quietMs: 10_000, timeoutMs: 10_000, intervalMs: 1 },
  );
  assert.equal(counts.sidecar?.bytes, 7);
  assert.equal(reads, 1);
});

test('settle: the write probe is waited for until quiet, its witness already whole', async () => {
  const started = Date.now();
  const counts = await settle(
    () => Promise.resolve(probes(0, 1500)),
    { requests: 10, bytes: 1500 },
    { quietMs: 50, timeoutMs: 10_000, intervalMs: 5 },
  );
  assert.equal(counts.ebpf_socket_write?.bytes, 0);
  assert.ok(Date.now() - started >= 50);
});
