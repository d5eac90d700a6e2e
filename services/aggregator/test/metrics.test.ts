import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { DecodedBatch } from '@obscost/events';
import { StateMetricProducer } from '../src/metrics.js';
import { PartitionState } from '../src/partition-state.js';

function batch(sequence: number, kinds: [string, number][]): DecodedBatch {
  return {
    observer_id: 'o',
    host: 'h',
    sequence,
    events: kinds.map(([kind, bytes]) => ({
      timestamp_ns: 1,
      bytes,
      pid: 7,
      tid: 7,
      fd: 3,
      kind,
      flags: 1,
    })),
    processes: [{ pid: 7, name: 'app' }],
  };
}

async function collect(states: Map<number, PartitionState>): Promise<Map<string, MetricData>> {
  const producer = new StateMetricProducer(resourceFromAttributes({}), () => states);
  const { resourceMetrics } = await producer.collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  return new Map(metrics.map((metric) => [metric.descriptor.name, metric]));
}

test('each partition exports its series under its own partition attribute', async () => {
  const first = new PartitionState(false);
  first.add(
    batch(1, [
      ['WRITE', 100],
      ['UPROBE', 100],
    ]),
    0,
    0,
  );
  const second = new PartitionState(false);
  second.add(batch(1, [['WRITE', 5000]]), 0, 0);
  second.reject('malformed', 1);
  const metrics = await collect(
    new Map([
      [0, first],
      [3, second],
    ]),
  );
  const writes = metrics.get('app_write_bytes_total');
  assert.equal(writes?.dataPointType, DataPointType.SUM);
  assert.deepEqual(
    writes.dataPoints.map((p) => [p.attributes, p.value]),
    [
      [{ host: 'h', process: 'app', partition: '0', syscall: 'write', fd: 'socket' }, 100],
      [{ host: 'h', process: 'app', partition: '3', syscall: 'write', fd: 'socket' }, 5000],
    ],
  );
  assert.equal(writes.isMonotonic, true);
  const sizes = metrics.get('app_write_size_bytes');
  assert.equal(sizes?.dataPointType, DataPointType.HISTOGRAM);
  assert.deepEqual(sizes.dataPoints[1]?.value, {
    buckets: {
      boundaries: [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576],
      counts: [0, 0, 0, 0, 1, 0, 0, 0, 0],
    },
    sum: 5000,
    count: 1,
  });
  assert.deepEqual(
    metrics.get('app_uprobe_calls_total')?.dataPoints.map((p) => p.value),
    [1],
  );
  assert.deepEqual(
    metrics.get('aggregator_decode_errors_total')?.dataPoints.map((p) => [p.attributes, p.value]),
    [[{ partition: '3', reason: 'malformed' }, 1]],
  );
  assert.deepEqual(
    metrics.get('aggregator_records_total')?.dataPoints.map((p) => p.value),
    [1, 2],
  );
});

test('a partition no longer owned exports nothing, and every family is always described', async () => {
  const metrics = await collect(new Map());
  for (const name of [
    'app_write_events_total',
    'app_tcp_send_events_total',
    'app_uprobe_calls_total',
    'app_uprobe_size_bytes',
  ]) {
    assert.deepEqual(metrics.get(name)?.dataPoints, [], name);
  }
});
