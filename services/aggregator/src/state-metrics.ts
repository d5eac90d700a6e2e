import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { EVENT_METRICS, SIZE_BOUNDS, type EventFamily } from '@obscost/events';
import type { PartitionState, SeriesTotals } from './partition-state.js';

/** The instrumentation scope of every metric the aggregator exports. */
export const SCOPE = { name: 'obscost-aggregator' };

/** What each family counts, for the descriptions: `uprobe` counts calls, the others events. */
const FAMILY_WHAT: Record<EventFamily, string> = {
  write: 'write and writev syscalls of the target',
  tcp_send: 'TCP sends of the target',
  uprobe: 'calls of the app_write marker',
};

function seriesAttributes(series: SeriesTotals, partition: string): Attributes {
  const attributes: Attributes = {
    host: series.host,
    process: series.process,
    partition,
  };
  if (series.pid !== undefined) attributes.pid = series.pid;
  if (series.syscall !== undefined) attributes.syscall = series.syscall;
  if (series.fd !== undefined) attributes.fd = series.fd;
  return attributes;
}

function sum(name: string, description: string, points: DataPoint<number>[]): MetricData {
  return {
    descriptor: { name, description, unit: '', valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: points,
  };
}

function histogram(name: string, description: string, points: DataPoint<Histogram>[]): MetricData {
  return {
    descriptor: { name, description, unit: '', valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: points,
  };
}

/**
 * The event totals, straight from the committed partition states. A MetricProducer rather
 * than instruments because the totals are restored from Kafka on start and move to another
 * instance with their partition: the API's counters can only grow from zero in this process,
 * and it has no observable histogram. Each series carries its input partition, so every
 * series is exported by one instance only and the sum over instances is the total.
 */
export class StateMetricProducer implements MetricProducer {
  private readonly startTime: HrTime = millisToHrTime(Date.now());

  constructor(
    private readonly resource: Resource,
    private readonly states: () => ReadonlyMap<number, PartitionState>,
  ) {}

  collect(): Promise<CollectionResult> {
    const endTime = millisToHrTime(Date.now());
    const point = <T>(value: T, attributes: Attributes): DataPoint<T> => ({
      startTime: this.startTime,
      endTime,
      attributes,
      value,
    });
    const families = new Map(
      (Object.keys(EVENT_METRICS) as EventFamily[]).map((family) => [
        family,
        {
          events: [] as DataPoint<number>[],
          bytes: [] as DataPoint<number>[],
          sizes: [] as DataPoint<Histogram>[],
        },
      ]),
    );
    const records: DataPoint<number>[] = [];
    const events: DataPoint<number>[] = [];
    const unknown: DataPoint<number>[] = [];
    const overflow: DataPoint<number>[] = [];
    const rejected: DataPoint<number>[] = [];
    const gaps: DataPoint<number>[] = [];
    const duplicates: DataPoint<number>[] = [];
    const restarts: DataPoint<number>[] = [];
    const stale: DataPoint<number>[] = [];
    for (const [partitionNumber, state] of this.states()) {
      const partition = String(partitionNumber);
      for (const series of state.allSeries()) {
        const points = families.get(series.family);
        const attributes = seriesAttributes(series, partition);
        points?.events.push(point(series.events, attributes));
        points?.bytes.push(point(series.bytes, attributes));
        points?.sizes.push(
          point(
            {
              buckets: { boundaries: [...SIZE_BOUNDS], counts: [...series.buckets] },
              sum: series.bytes,
              count: series.events,
            },
            attributes,
          ),
        );
      }
      records.push(point(state.records, { partition }));
      events.push(point(state.events, { partition }));
      unknown.push(point(state.unknownKindEvents, { partition }));
      overflow.push(point(state.overflowEvents, { partition }));
      for (const [reason, count] of state.rejected) {
        rejected.push(point(count, { partition, reason }));
      }
      for (const [host, counts] of state.sequences) {
        gaps.push(point(counts.gaps, { partition, host }));
        duplicates.push(point(counts.duplicates, { partition, host }));
        restarts.push(point(counts.restarts, { partition, host }));
        stale.push(point(counts.stale, { partition, host }));
      }
    }
    const metrics: MetricData[] = [];
    for (const [family, points] of families) {
      const names = EVENT_METRICS[family];
      const what = FAMILY_WHAT[family];
      metrics.push(
        sum(names.events, `Count of ${what}.`, points.events),
        sum(names.bytes, `Bytes of ${what}.`, points.bytes),
        histogram(names.sizes, `Sizes of ${what}, in bytes.`, points.sizes),
      );
    }
    metrics.push(
      sum('aggregator_records_total', 'Kafka records counted.', records),
      sum('aggregator_events_total', 'Events counted.', events),
      sum(
        'aggregator_unknown_kind_events_total',
        'Events of a kind the aggregator does not count.',
        unknown,
      ),
      sum(
        'aggregator_overflow_events_total',
        'Events counted under the _overflow series because the partition held --max-series series.',
        overflow,
      ),
      sum(
        'aggregator_decode_errors_total',
        'Records that were not event batches, or batches that cannot be counted (invalid), by reason; each went to the dead-letter topic.',
        rejected,
      ),
      sum(
        'aggregator_sequence_gap_batches_total',
        "Batches missing from an observer's sequence.",
        gaps,
      ),
      sum(
        'aggregator_duplicate_batches_total',
        'Batches whose sequence number was already counted, skipped.',
        duplicates,
      ),
      sum(
        'aggregator_observer_restarts_total',
        'Observers seen again under the same id with a new incarnation: a restart.',
        restarts,
      ),
      sum(
        'aggregator_stale_batches_total',
        'Batches of observer runs forgotten as silent for 24 h: a replay, skipped.',
        stale,
      ),
    );
    return Promise.resolve({
      resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: SCOPE, metrics }] },
      errors: [],
    });
  }
}
