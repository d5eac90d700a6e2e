import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import type { AggregatorConfig } from './config.js';
import {
  SIZE_BOUNDS,
  type Family,
  type PartitionState,
  type SeriesTotals,
} from './partition-state.js';

const SCOPE = { name: 'obscost-aggregator' };

/** The seed's names: `uprobe` counts calls, the others events. */
const FAMILY_NAMES: Record<Family, { events: string; bytes: string; sizes: string; what: string }> =
  {
    write: {
      events: 'app_write_events_total',
      bytes: 'app_write_bytes_total',
      sizes: 'app_write_size_bytes',
      what: 'write and writev syscalls of the target',
    },
    tcp_send: {
      events: 'app_tcp_send_events_total',
      bytes: 'app_tcp_send_bytes_total',
      sizes: 'app_tcp_send_size_bytes',
      what: 'TCP sends of the target',
    },
    uprobe: {
      events: 'app_uprobe_calls_total',
      bytes: 'app_uprobe_bytes_total',
      sizes: 'app_uprobe_size_bytes',
      what: 'calls of the app_write marker',
    },
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
      (Object.keys(FAMILY_NAMES) as Family[]).map((family) => [
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
    const rejected: DataPoint<number>[] = [];
    const gaps: DataPoint<number>[] = [];
    const duplicates: DataPoint<number>[] = [];
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
      for (const [reason, count] of state.rejected) {
        rejected.push(point(count, { partition, reason }));
      }
      for (const [host, counts] of state.sequences) {
        gaps.push(point(counts.gaps, { partition, host }));
        duplicates.push(point(counts.duplicates, { partition, host }));
      }
    }
    const metrics: MetricData[] = [];
    for (const [family, points] of families) {
      const names = FAMILY_NAMES[family];
      metrics.push(
        sum(names.events, `Count of ${names.what}.`, points.events),
        sum(names.bytes, `Bytes of ${names.what}.`, points.bytes),
        {
          descriptor: {
            name: names.sizes,
            description: `Sizes of ${names.what}, in bytes.`,
            unit: '',
            valueType: ValueType.INT,
          },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: points.sizes,
        },
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
        'aggregator_decode_errors_total',
        'Records that were not event batches, by reason; each went to the dead-letter topic.',
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
    );
    return Promise.resolve({
      resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: SCOPE, metrics }] },
      errors: [],
    });
  }
}

/** What the consumer reports as it goes, for the health instruments. */
export interface ConsumerHealth {
  /** Records behind the partition's end, per owned partition, at the last fetch. */
  readonly lag: ReadonlyMap<number, number>;
  readonly deadLetters: number;
  readonly commits: number;
  readonly connected: boolean;
}

export interface Telemetry {
  provider: MeterProvider;
  /** Records how long an event took from its kernel timestamp to the exported counter. */
  recordDelay: (seconds: number) => void;
  /** The Prometheus exporter's URL, when it serves one. */
  prometheusUrl: string | undefined;
  shutdown(): Promise<void>;
}

export async function startTelemetry(
  config: AggregatorConfig,
  states: () => ReadonlyMap<number, PartitionState>,
  health: () => ConsumerHealth,
): Promise<Telemetry> {
  const resource = resourceFromAttributes({
    'service.name': 'obscost-aggregator',
    'service.instance.id': config.instanceId,
  });
  const producer = new StateMetricProducer(resource, states);
  const readers: MetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  if (config.exporter !== 'otlp') {
    prometheus = new PrometheusExporter({
      host: config.host,
      port: config.port,
      metricProducers: [producer],
      withoutScopeInfo: true,
      // Served below by a server of ours, which can listen on port 0 and tell its port.
      preventServerStart: true,
    });
    readers.push(prometheus);
  }
  if (config.exporter !== 'prometheus') {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: config.otlpUrl }),
        exportIntervalMillis: config.exportIntervalMs,
        metricProducers: [producer],
      }),
    );
  }
  const provider = new MeterProvider({
    resource,
    readers,
    views: [
      {
        instrumentName: 'aggregator_event_delay_seconds',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: {
            boundaries: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 60],
          },
        },
      },
    ],
  });
  const meter = provider.getMeter(SCOPE.name);
  meter
    .createObservableGauge('aggregator_consumer_lag_records', {
      description: 'Records between the last one counted and the end of each owned partition.',
    })
    .addCallback((result) => {
      for (const [partition, lag] of health().lag) result.observe(lag, { partition });
    });
  meter
    .createObservableCounter('aggregator_dead_letter_records_total', {
      description: 'Records this process sent to the dead-letter topic.',
    })
    .addCallback((result) => {
      result.observe(health().deadLetters);
    });
  meter
    .createObservableCounter('aggregator_commits_total', {
      description: 'Offset commits, each carrying the totals of its partition.',
    })
    .addCallback((result) => {
      result.observe(health().commits);
    });
  meter
    .createObservableGauge('aggregator_kafka_connected', {
      description: '1 while the consumer is in its group, 0 while it waits for Kafka.',
    })
    .addCallback((result) => {
      result.observe(health().connected ? 1 : 0);
    });
  const delay = meter.createHistogram('aggregator_event_delay_seconds', {
    description:
      "From a batch's oldest event's kernel timestamp to its counting, for batches from this host.",
    unit: '',
  });
  const server = prometheus ? await serve(prometheus, config.host, config.port) : undefined;
  return {
    provider,
    recordDelay: (seconds) => {
      delay.record(seconds);
    },
    prometheusUrl: server
      ? `http://${config.host}:${(server.address() as AddressInfo).port}/metrics`
      : undefined,
    shutdown: async () => {
      server?.close();
      await provider.shutdown();
    },
  };
}

function serve(exporter: PrometheusExporter, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/metrics') exporter.getMetricsRequestHandler(request, response);
    else response.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}
