import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROBES } from '@obscost/observer';
import { NOT_COMPARABLE_BECAUSE } from '../src/accuracy.js';
import { probeCounts, withObserverCounts } from '../src/scenarios/observer-counts.js';

/** The counters as the observer and the aggregator export them, scaled by `k`. */
function exposition(k: number): string {
  return [
    '# TYPE app_uprobe_calls_total counter',
    `app_uprobe_calls_total ${10 * k}`,
    `app_uprobe_bytes_total ${1000 * k}`,
    `app_write_bytes_total{fd="socket"} ${2000 * k}`,
    `app_write_bytes_total{fd="file"} ${5 * k}`,
    `app_tcp_send_bytes_total ${3000 * k}`,
  ].join('\n');
}

test('the probes asked for are counted from one /metrics, in the order of the approaches', () => {
  const where = "the observer's /metrics";
  assert.deepEqual(probeCounts(exposition(1), ['tcp', 'uprobe'], where), {
    ebpf_uprobe: {
      requests: 10,
      bytes: 1000,
      source: `${where}: app_uprobe_calls_total, app_uprobe_bytes_total`,
    },
    ebpf_tcp_send: { bytes: 3000, source: `${where}: app_tcp_send_bytes_total` },
  });
});

test("the aggregator's counts carry the observer's beside them", () => {
  const where = "the aggregator's /metrics (the observer's beside it)";
  const counts = withObserverCounts(
    probeCounts(exposition(1), PROBES, where),
    probeCounts(exposition(2), PROBES, where),
  );
  assert.deepEqual(counts, {
    ebpf_uprobe: {
      requests: 10,
      bytes: 1000,
      source: `${where}: app_uprobe_calls_total, app_uprobe_bytes_total`,
      observer: { requests: 20, bytes: 2000 },
    },
    ebpf_socket_write: {
      bytes: 2000,
      source: `${where}: app_write_bytes_total{fd="socket"}`,
      observer: { bytes: 4000 },
    },
    ebpf_tcp_send: {
      bytes: 3000,
      source: `${where}: app_tcp_send_bytes_total`,
      observer: { bytes: 6000 },
    },
  });
  assert.deepEqual(Object.keys(counts), ['ebpf_uprobe', 'ebpf_socket_write', 'ebpf_tcp_send']);
});

test("on a service the marker's bytes are kept and marked, the write probe witnessed", () => {
  const where = "the observer's /metrics";
  const counts = probeCounts(exposition(1), PROBES, where, false);
  assert.deepEqual(counts.ebpf_uprobe, {
    requests: 10,
    bytes: 1000,
    source: `${where}: app_uprobe_calls_total, app_uprobe_bytes_total`,
    notComparable: { bytes: NOT_COMPARABLE_BECAUSE.markerArgument },
  });
  assert.deepEqual(counts.ebpf_socket_write, {
    bytes: 2000,
    source: `${where}: app_write_bytes_total{fd="socket"}`,
    someCalls: { witness: 'ebpf_tcp_send', why: NOT_COMPARABLE_BECAUSE.sentOtherwise },
  });
  assert.deepEqual(counts.ebpf_tcp_send, {
    bytes: 3000,
    source: `${where}: app_tcp_send_bytes_total`,
  });
  // Without the TCP probe nothing can show the service sends otherwise: comparable.
  const alone = probeCounts(exposition(1), ['write'], where, false);
  assert.equal(alone.ebpf_socket_write?.someCalls, undefined);
});
