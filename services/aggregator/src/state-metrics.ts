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
import { PARTITION_METRICS } from './partition-metric-table.js';
import type { PartitionState } from './partition-state.js';
import type { SeriesTotals } from './series-table.js';

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

/** A data point of the collection under way: its value and attributes, the times given. */
type PointOf = <T>(value: T, attributes: Attributes) => DataPoint<T>;

interface FamilyPoints {
  readonly events: DataPoint<number>[];
  readonly bytes: DataPoint<number>[];
  readonly sizes: DataPoint<Histogram>[];
}

/** Every series of every partition, as the points of its family's three metrics. */
function familyMetrics(
  states: readonly (readonly [string, PartitionState])[],
  point: PointOf,
): MetricData[] {
  const families = new Map(
    (Object.keys(EVENT_METRICS) as EventFamily[]).map((family): [EventFamily, FamilyPoints] => [
      family,
      { events: [], bytes: [], sizes: [] },
    ]),
  );
  for (const [partition, state] of states) {
    for (const series of state.allSeries()) {
      const points = families.get(series.family);
      const attributes = seriesAttributes(series, partition);
      points?.events.push(point(series.events, attributes));
      points?.bytes.push(point(series.bytes, attributes));
      const buckets = { boundaries: [...SIZE_BOUNDS], counts: [...series.buckets] };
      points?.sizes.push(point({ buckets, sum: series.bytes, count: series.events }, attributes));
    }
  }
  return [...families].flatMap(([family, points]) => {
    const names = EVENT_METRICS[family];
    const what = FAMILY_WHAT[family];
    return [
      sum(names.events, `Count of ${what}.`, points.events),
      sum(names.bytes, `Bytes of ${what}.`, points.bytes),
      histogram(names.sizes, `Sizes of ${what}, in bytes.`, points.sizes),
    ];
  });
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
    const point: PointOf = (value, attributes) => ({
      startTime: this.startTime,
      endTime,
      attributes,
      value,
    });
    const states = [...this.states()].map(
      ([partition, state]) => [String(partition), state] as const,
    );
    const metrics = [
      ...familyMetrics(states, point),
      ...PARTITION_METRICS.map(({ name, description, read }) =>
        sum(
          name,
          description,
          states.flatMap(([partition, state]) =>
            read(state).map(([attributes, value]) => point(value, { partition, ...attributes })),
          ),
        ),
      ),
    ];
    return Promise.resolve({
      resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: SCOPE, metrics }] },
      errors: [],
    });
  }
}
