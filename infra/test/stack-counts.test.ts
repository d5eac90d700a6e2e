import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RELATIONS, relationLine } from '../src/stack-counts.js';

const [requests, bytes, socketWrites] = RELATIONS;

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

test('through Kafka, the aggregator may be behind the observer, never ahead', () => {
  assert.ok(socketWrites);
  const line = (aggregator: number) =>
    relationLine(socketWrites, {
      'ebpf_socket_write/observer': 1000,
      'ebpf_socket_write/aggregator': aggregator,
    });
  assert.match(line(990), /at the aggregator at most as much .*: holds$/);
  assert.match(line(1000), /: holds$/);
  assert.match(line(1001), /: does not hold/);
});
