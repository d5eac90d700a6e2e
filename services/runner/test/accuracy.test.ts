import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sumOf } from '@obscost/measure';
import { accuracyOf, settle, type Counts } from '../src/accuracy.js';

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
