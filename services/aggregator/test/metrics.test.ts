import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { DecodedBatch } from '@obscost/events';
import { decodedBatch, decodedEvent, FIXTURE_PID } from '@obscost/testing';
import { StateMetricProducer } from '../src/state-metrics.js';
import { startTelemetry } from '../src/telemetry.js';
import { PartitionState } from '../src/partition-state.js';

/** A batch of observer `o`'s events of pid 10 (`app`), each a kind, bytes and its flags. */
function batch(sequence: number, kinds: [string, number, number?][]): DecodedBatch {
  const events = kinds.map(([kind, bytes, flags]) => decodedEvent(kind, bytes, FIXTURE_PID, flags));
  return decodedBatch('o', sequence, events);
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

/**
 * What Prometheus reads for the states and health of 'the exposition, whole': the consumer's
 * health first (the SDK's instruments), then the states' totals (the producer), in that order.
 */
const EXPOSITION = [
  '# HELP target_info Target metadata',
  '# TYPE target_info gauge',
  'target_info{service_name="obscost-aggregator",service_instance_id="test"} 1',
  "# HELP aggregator_event_delay_seconds From a batch's oldest event's kernel timestamp to its counting, for batches from this host.",
  '# TYPE aggregator_event_delay_seconds histogram',
  'aggregator_event_delay_seconds_count 2',
  'aggregator_event_delay_seconds_sum 0.75',
  'aggregator_event_delay_seconds_bucket{le="0.001"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.002"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.005"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.01"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.02"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.05"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.1"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.2"} 0',
  'aggregator_event_delay_seconds_bucket{le="0.5"} 2',
  'aggregator_event_delay_seconds_bucket{le="1"} 2',
  'aggregator_event_delay_seconds_bucket{le="2"} 2',
  'aggregator_event_delay_seconds_bucket{le="5"} 2',
  'aggregator_event_delay_seconds_bucket{le="10"} 2',
  'aggregator_event_delay_seconds_bucket{le="20"} 2',
  'aggregator_event_delay_seconds_bucket{le="60"} 2',
  'aggregator_event_delay_seconds_bucket{le="+Inf"} 2',
  '# HELP aggregator_consumer_lag_records Records between the last one counted and the end of each owned partition.',
  '# TYPE aggregator_consumer_lag_records gauge',
  'aggregator_consumer_lag_records{partition="2"} 5',
  '# HELP aggregator_dead_letter_records_total Records this process sent to the dead-letter topic.',
  '# TYPE aggregator_dead_letter_records_total counter',
  'aggregator_dead_letter_records_total 1',
  '# HELP aggregator_commits_total Offset commits, each carrying the totals of its partition.',
  '# TYPE aggregator_commits_total counter',
  'aggregator_commits_total 3',
  '# HELP aggregator_kafka_connected 1 while the consumer is in its group, 0 while it waits for Kafka.',
  '# TYPE aggregator_kafka_connected gauge',
  'aggregator_kafka_connected 1',
  '# HELP app_write_events_total Count of write and writev syscalls of the target.',
  '# TYPE app_write_events_total counter',
  'app_write_events_total{host="h",process="app",partition="2",syscall="write",fd="socket"} 1',
  'app_write_events_total{host="h",process="app",partition="2",syscall="writev",fd="other"} 1',
  '# HELP app_write_bytes_total Bytes of write and writev syscalls of the target.',
  '# TYPE app_write_bytes_total counter',
  'app_write_bytes_total{host="h",process="app",partition="2",syscall="write",fd="socket"} 100',
  'app_write_bytes_total{host="h",process="app",partition="2",syscall="writev",fd="other"} 5000',
  '# HELP app_write_size_bytes Sizes of write and writev syscalls of the target, in bytes.',
  '# TYPE app_write_size_bytes histogram',
  'app_write_size_bytes_count{host="h",process="app",partition="2",syscall="write",fd="socket"} 1',
  'app_write_size_bytes_sum{host="h",process="app",partition="2",syscall="write",fd="socket"} 100',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="64"} 0',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="256"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="1024"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="4096"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="16384"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="65536"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="262144"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="1048576"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="write",fd="socket",le="+Inf"} 1',
  'app_write_size_bytes_count{host="h",process="app",partition="2",syscall="writev",fd="other"} 1',
  'app_write_size_bytes_sum{host="h",process="app",partition="2",syscall="writev",fd="other"} 5000',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="64"} 0',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="256"} 0',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="1024"} 0',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="4096"} 0',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="16384"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="65536"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="262144"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="1048576"} 1',
  'app_write_size_bytes_bucket{host="h",process="app",partition="2",syscall="writev",fd="other",le="+Inf"} 1',
  '# HELP app_tcp_send_events_total Count of TCP sends of the target.',
  '# TYPE app_tcp_send_events_total counter',
  'app_tcp_send_events_total{host="h",process="app",partition="2"} 1',
  '# HELP app_tcp_send_bytes_total Bytes of TCP sends of the target.',
  '# TYPE app_tcp_send_bytes_total counter',
  'app_tcp_send_bytes_total{host="h",process="app",partition="2"} 70',
  '# HELP app_tcp_send_size_bytes Sizes of TCP sends of the target, in bytes.',
  '# TYPE app_tcp_send_size_bytes histogram',
  'app_tcp_send_size_bytes_count{host="h",process="app",partition="2"} 1',
  'app_tcp_send_size_bytes_sum{host="h",process="app",partition="2"} 70',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="64"} 0',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="256"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="1024"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="4096"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="16384"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="65536"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="262144"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="1048576"} 1',
  'app_tcp_send_size_bytes_bucket{host="h",process="app",partition="2",le="+Inf"} 1',
  '# HELP app_uprobe_calls_total Count of calls of the app_write marker.',
  '# TYPE app_uprobe_calls_total counter',
  'app_uprobe_calls_total{host="h",process="app",partition="2"} 2',
  '# HELP app_uprobe_bytes_total Bytes of calls of the app_write marker.',
  '# TYPE app_uprobe_bytes_total counter',
  'app_uprobe_bytes_total{host="h",process="app",partition="2"} 320',
  '# HELP app_uprobe_size_bytes Sizes of calls of the app_write marker, in bytes.',
  '# TYPE app_uprobe_size_bytes histogram',
  'app_uprobe_size_bytes_count{host="h",process="app",partition="2"} 2',
  'app_uprobe_size_bytes_sum{host="h",process="app",partition="2"} 320',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="64"} 1',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="256"} 1',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="1024"} 2',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="4096"} 2',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="16384"} 2',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="65536"} 2',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="262144"} 2',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="1048576"} 2',
  'app_uprobe_size_bytes_bucket{host="h",process="app",partition="2",le="+Inf"} 2',
  '# HELP aggregator_records_total Kafka records counted.',
  '# TYPE aggregator_records_total counter',
  'aggregator_records_total{partition="0"} 0',
  'aggregator_records_total{partition="2"} 3',
  '# HELP aggregator_events_total Events counted.',
  '# TYPE aggregator_events_total counter',
  'aggregator_events_total{partition="0"} 0',
  'aggregator_events_total{partition="2"} 6',
  '# HELP aggregator_unknown_kind_events_total Events of a kind the aggregator does not count.',
  '# TYPE aggregator_unknown_kind_events_total counter',
  'aggregator_unknown_kind_events_total{partition="0"} 0',
  'aggregator_unknown_kind_events_total{partition="2"} 1',
  '# HELP aggregator_overflow_events_total Events counted under the _overflow series because the partition held --max-series series.',
  '# TYPE aggregator_overflow_events_total counter',
  'aggregator_overflow_events_total{partition="0"} 0',
  'aggregator_overflow_events_total{partition="2"} 0',
  '# HELP aggregator_decode_errors_total Records that were not event batches, or batches that cannot be counted (invalid), by reason; each went to the dead-letter topic.',
  '# TYPE aggregator_decode_errors_total counter',
  'aggregator_decode_errors_total{partition="2",reason="malformed"} 1',
  "# HELP aggregator_sequence_gap_batches_total Batches missing from an observer's sequence.",
  '# TYPE aggregator_sequence_gap_batches_total counter',
  'aggregator_sequence_gap_batches_total{partition="2",host="h"} 1',
  '# HELP aggregator_duplicate_batches_total Batches whose sequence number was already counted, skipped.',
  '# TYPE aggregator_duplicate_batches_total counter',
  'aggregator_duplicate_batches_total{partition="2",host="h"} 0',
  '# HELP aggregator_observer_restarts_total Observers seen again under the same id with a new incarnation: a restart.',
  '# TYPE aggregator_observer_restarts_total counter',
  'aggregator_observer_restarts_total{partition="2",host="h"} 0',
  '# HELP aggregator_stale_batches_total Batches of observer runs forgotten as silent for 24 h: a replay, skipped.',
  '# TYPE aggregator_stale_batches_total counter',
  'aggregator_stale_batches_total{partition="2",host="h"} 0',
  '',
].join('\n');

test('the exposition, whole', async (t) => {
  const empty = new PartitionState(false);
  const state = new PartitionState(false);
  state.add(
    batch(1, [
      ['WRITE', 100],
      ['WRITEV', 5000, 0],
      ['TCP_SEND', 70],
      ['UPROBE', 300],
      ['UNSPECIFIED', 1],
    ]),
    0,
    0,
  );
  state.reject('malformed', 1);
  state.add(batch(3, [['UPROBE', 20]]), 2, 0);
  const telemetry = await startTelemetry(
    {
      instanceId: 'test',
      exporter: 'prometheus',
      host: '127.0.0.1',
      port: 0,
      otlpUrl: '',
      exportIntervalMs: 1000,
    },
    () =>
      new Map([
        [0, empty],
        [2, state],
      ]),
    () => ({ lag: new Map([[2, 5]]), deadLetters: 1, commits: 3, connected: true }),
  );
  t.after(() => telemetry.shutdown());
  telemetry.recordDelay(0.25);
  telemetry.recordDelay(0.5);
  const response = await fetch(telemetry.prometheusUrl ?? '');
  assert.equal(await response.text(), EXPOSITION);
});
