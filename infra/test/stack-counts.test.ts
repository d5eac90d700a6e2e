import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RELATIONS, relationLine, throughKafkaLines } from '../src/stack-counts.js';

const [requests, bytes] = RELATIONS;

test('a relation holds when its series are equal, and says so', () => {
  assert.ok(requests);
  const counts = {
    'app/app': 2000,
    'sidecar/collector': 2000,
    'otel_sdk/collector': 2000,
    'ebpf_uprobe/observer': 2000,
    'ebpf_uprobe/aggregator': 2000,
  };
  assert.match(relationLine(requests, counts), /^requests: app at the app = .*: holds$/);
});

test("a relation that does not hold names each series' value", () => {
  assert.ok(requests);
  const counts = {
    'app/app': 2000,
    'sidecar/collector': 2000,
    'otel_sdk/collector': 2000,
    'ebpf_uprobe/observer': 2000,
    'ebpf_uprobe/aggregator': 89_053,
  };
  assert.match(
    relationLine(requests, counts),
    /does not hold .*: app at the app 2,000, .* ebpf_uprobe at the aggregator 89,053$/,
  );
});

test('a series missing, or one below the least it must be, fails the relation', () => {
  assert.ok(bytes);
  const counts = {
    'sidecar/collector': 100,
    'ebpf_uprobe/observer': 100,
    'ebpf_uprobe/aggregator': 100,
    'ebpf_socket_write/observer': 120,
  };
  assert.match(relationLine(bytes, counts), /cannot be checked: no ebpf_tcp_send at the observer$/);
  assert.match(relationLine(bytes, { ...counts, 'ebpf_tcp_send/observer': 99 }), /: does not hold/);
  assert.match(relationLine(bytes, { ...counts, 'ebpf_tcp_send/observer': 100 }), /: holds$/);
});

test('the kernel probes through Kafka: the difference shown, with no verdict', () => {
  const lines = throughKafkaLines({
    'ebpf_socket_write/observer': 1000,
    'ebpf_socket_write/aggregator': 1012,
  });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? '',
    /^ebpf_socket_write through Kafka: the aggregator 1,012 bytes, the observer 1,000 \(\+12: /,
  );
});
