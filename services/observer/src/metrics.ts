import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EVENT_METRICS, EventKind, KIND_NAMES, SIZE_BOUNDS } from '@obscost/events';
import type { DecodeError, EventTotals } from './counters.js';
import type { DropReason } from './kafka-sink.js';
import type { KernelTotals, KindTotals } from './kernel-counts.js';
import type { ProgramStats } from './kernel-stats.js';
import type { Probe } from './probe-vocabulary.js';

/** What forwarding did, as KafkaSink counts it. */
export interface SinkReadings {
  readonly batchesSent: number;
  readonly eventsSent: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly bufferedBytes: number;
  readonly lastSequenceSent: number;
  readonly connected: boolean;
  onSendLatency: ((seconds: number) => void) | undefined;
}

/** What the metrics read from the observer at each scrape. */
export interface ObserverReadings {
  readonly counters: EventTotals;
  /** Count mode's totals, with the size histograms the aggregator makes in ring mode. */
  readonly kernelCounts: KernelTotals | undefined;
  readonly decodeErrors: Readonly<Record<DecodeError, number>>;
  readonly tcpMode: string;
  /** The probes attached (--probes): only theirs are counted. */
  readonly probes: readonly Probe[];
  readonly targets: readonly number[];
  /** Processes the target named that could not be followed, by reason. */
  readonly targetRefusals: Readonly<Record<string, number>>;
  /** Events of the batches the capture file did not get; undefined without --capture. */
  readonly captureDroppedEvents: number | undefined;
  readonly ringBufferBytes: number;
  readonly ringBufferUsedBytes: number;
  kernelDrops(kind: EventKind): number;
  /** Whether the kernel's BPF run-time statistics are on, and programStats reads them. */
  readonly bpfStats: boolean;
  programStats(): Record<string, ProgramStats>;
  readonly batcher: { readonly lastSequence: number } | undefined;
  readonly sink: SinkReadings | undefined;
}

/**
 * The observer's Prometheus metrics: the seed's counters of what the app did, and what
 * observing cost and lost, in `registry` (a new one unless given). Values are read from the
 * observer at scrape time.
 */
export function observerRegistry(
  observer: ObserverReadings,
  registry: Registry = new Registry(),
): Registry {
  const { counters } = observer;
  const fdLabel = (socket: boolean): string => (socket ? 'socket' : 'other');
  const counter = (
    name: string,
    help: string,
    labelNames: string[],
    read: (c: Counter) => void,
  ): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read(this);
      },
    });
  };
  const writes = (values: 'events' | 'bytes') => (metric: Counter) => {
    for (const kind of [EventKind.WRITE, EventKind.WRITEV]) {
      for (const socket of [false, true]) {
        const value =
          values === 'events' ? counters.eventsOf(kind, socket) : counters.bytesOf(kind, socket);
        metric.inc({ syscall: KIND_NAMES[kind], fd: fdLabel(socket) }, value);
      }
    }
  };
  // A probe not attached (or the statistics below, off) counts nothing: no series, not zeros.
  const { probes } = observer;
  if (probes.includes('write')) {
    counter(
      EVENT_METRICS.write.events,
      'write and writev calls by the target that wrote bytes.',
      ['syscall', 'fd'],
      writes('events'),
    );
    counter(
      EVENT_METRICS.write.bytes,
      'Bytes the target wrote with write and writev.',
      ['syscall', 'fd'],
      writes('bytes'),
    );
  }
  if (probes.includes('tcp')) {
    counter(EVENT_METRICS.tcp_send.events, 'TCP sends by the target.', ['probe'], (m) => {
      m.inc({ probe: observer.tcpMode }, counters.eventsOf(EventKind.TCP_SEND));
    });
    counter(EVENT_METRICS.tcp_send.bytes, 'Bytes the target sent over TCP.', ['probe'], (m) => {
      m.inc({ probe: observer.tcpMode }, counters.bytesOf(EventKind.TCP_SEND));
    });
  }
  if (probes.includes('uprobe')) {
    counter(EVENT_METRICS.uprobe.events, 'Calls of the app_write marker.', [], (m) => {
      m.inc(counters.eventsOf(EventKind.UPROBE));
    });
    counter(EVENT_METRICS.uprobe.bytes, 'Bytes reported through the app_write marker.', [], (m) => {
      m.inc(counters.bytesOf(EventKind.UPROBE));
    });
  }
  if (observer.kernelCounts) sizeHistograms(registry, observer, observer.kernelCounts);
  else ringMetrics(registry, observer, counter);
  new Gauge({
    name: 'observer_bpf_stats_enabled',
    help: "1 when the kernel's BPF run-time statistics are on (--bpf-stats on, CAP_SYS_ADMIN), else 0.",
    registers: [registry],
  }).set(observer.bpfStats ? 1 : 0);
  if (observer.bpfStats) {
    counter(
      'observer_bpf_program_run_seconds_total',
      'Time the kernel spent in each BPF program: charged to the observed app.',
      ['program'],
      (m) => {
        for (const [program, stats] of Object.entries(observer.programStats()))
          m.inc({ program }, stats.runTimeNs / 1e9);
      },
    );
    counter('observer_bpf_program_runs_total', 'Runs of each BPF program.', ['program'], (m) => {
      for (const [program, stats] of Object.entries(observer.programStats()))
        m.inc({ program }, stats.runCount);
    });
  }
  const probeInfo = new Gauge({
    name: 'observer_probe_info',
    help: 'The probe attached for each measurement (1).',
    labelNames: ['probe', 'mode'],
    registers: [registry],
  });
  if (probes.includes('tcp')) probeInfo.set({ probe: 'tcp_send', mode: observer.tcpMode }, 1);
  new Gauge({
    name: 'observer_targets',
    help: 'Processes observed now.',
    registers: [registry],
    collect() {
      this.set(observer.targets.length);
    },
  });
  counter(
    'observer_targets_refused_total',
    'Processes the target named that could not be followed, each counted once, by reason.',
    ['reason'],
    (m) => {
      for (const [reason, count] of Object.entries(observer.targetRefusals))
        m.inc({ reason }, count);
    },
  );
  if (observer.captureDroppedEvents !== undefined) {
    counter(
      'observer_capture_dropped_events_total',
      'Events of the batches the capture file did not get, once a write to it failed.',
      [],
      (m) => {
        m.inc(observer.captureDroppedEvents ?? 0);
      },
    );
  }
  forwardingMetrics(registry, observer, counter);
  return registry;
}

type CounterOf = (
  name: string,
  help: string,
  labelNames: string[],
  read: (c: Counter) => void,
) => void;

/** What the ring buffer lost and holds: ring mode only. */
function ringMetrics(registry: Registry, observer: ObserverReadings, counter: CounterOf): void {
  counter(
    'observer_kernel_drops_total',
    'Events lost because the ring buffer was full, counted in the kernel.',
    ['kind'],
    (m) => {
      for (const kind of Object.values(EventKind))
        m.inc({ kind: KIND_NAMES[kind] }, observer.kernelDrops(kind));
    },
  );
  counter(
    'observer_decode_errors_total',
    'Ring-buffer records skipped because they were not events.',
    ['reason'],
    (m) => {
      for (const [reason, count] of Object.entries(observer.decodeErrors)) m.inc({ reason }, count);
    },
  );
  new Gauge({
    name: 'observer_ring_buffer_used_bytes',
    help: 'Bytes in the ring buffer not yet drained.',
    registers: [registry],
    collect() {
      this.set(observer.ringBufferUsedBytes);
    },
  });
  new Gauge({
    name: 'observer_ring_buffer_size_bytes',
    help: 'The ring buffer size.',
    registers: [registry],
  }).set(observer.ringBufferBytes);
}

interface HistogramSeries {
  readonly labels: Record<string, string>;
  readonly totals: KindTotals;
}

/**
 * Count mode's size histogram, its buckets read whole from the kernel at each scrape:
 * prom-client's Histogram can only observe one value at a time. The registry reads any
 * metric through getForPromString() or get() (prom-client's lib/registry.js), which this has.
 */
class KernelHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => HistogramSeries[],
  ) {}

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { labels: Record<string, string>; value: number; metricName: string }[];
  }> {
    const values = this.read().flatMap(({ labels, totals }) => {
      let cumulative = 0;
      return [
        ...[...SIZE_BOUNDS.map(String), '+Inf'].map((le, bucket) => ({
          labels: { ...labels, le },
          value: (cumulative += totals.sizes[bucket] ?? 0),
          metricName: `${this.name}_bucket`,
        })),
        { labels, value: totals.bytes, metricName: `${this.name}_sum` },
        { labels, value: totals.events, metricName: `${this.name}_count` },
      ];
    });
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values });
  }

  getForPromString(): ReturnType<KernelHistogram['get']> {
    return this.get();
  }
}

/** Count mode's size histograms, the aggregator's names and buckets, labelled as the counters. */
function sizeHistograms(
  registry: Registry,
  observer: ObserverReadings,
  counts: KernelTotals,
): void {
  const { probes } = observer;
  const histogram = (name: string, help: string, read: () => HistogramSeries[]): void => {
    // prom-client's types admit only its own classes; its registry takes any metric with get().
    registry.registerMetric(new KernelHistogram(name, help, read) as unknown as Histogram);
  };
  if (probes.includes('write')) {
    histogram(
      EVENT_METRICS.write.sizes,
      'Sizes of write and writev calls by the target, in bytes.',
      () =>
        [EventKind.WRITE, EventKind.WRITEV].flatMap((kind) =>
          [false, true].map((socket) => ({
            labels: { syscall: KIND_NAMES[kind], fd: socket ? 'socket' : 'other' },
            totals: counts.totalsOf(kind, socket),
          })),
        ),
    );
  }
  if (probes.includes('tcp')) {
    histogram(EVENT_METRICS.tcp_send.sizes, 'Sizes of TCP sends by the target, in bytes.', () => [
      { labels: { probe: observer.tcpMode }, totals: counts.totalsOf(EventKind.TCP_SEND) },
    ]);
  }
  if (probes.includes('uprobe')) {
    histogram(
      EVENT_METRICS.uprobe.sizes,
      'Sizes reported through the app_write marker, in bytes.',
      () => [{ labels: {}, totals: counts.totalsOf(EventKind.UPROBE) }],
    );
  }
}

/** What forwarding to Kafka did and lost, when the observer forwards. */
function forwardingMetrics(
  registry: Registry,
  observer: ObserverReadings,
  counter: CounterOf,
): void {
  const { sink, batcher } = observer;
  if (batcher) {
    new Gauge({
      name: 'observer_last_sequence',
      help: 'Sequence number of the last batch closed.',
      registers: [registry],
      collect() {
        this.set(batcher.lastSequence);
      },
    });
  }
  if (!sink) return;
  counter('observer_batches_sent_total', 'Batches Kafka acknowledged.', [], (m) => {
    m.inc(sink.batchesSent);
  });
  counter('observer_events_sent_total', 'Events in the batches Kafka acknowledged.', [], (m) => {
    m.inc(sink.eventsSent);
  });
  counter(
    'observer_dropped_events_total',
    'Events in batches dropped before reaching Kafka.',
    ['reason'],
    (m) => {
      for (const [reason, events] of Object.entries(sink.dropped)) m.inc({ reason }, events);
    },
  );
  const latency = new Histogram({
    name: 'observer_produce_latency_seconds',
    help: 'Time for Kafka to acknowledge a send (acks=all).',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  sink.onSendLatency = (seconds) => {
    latency.observe(seconds);
  };
  new Gauge({
    name: 'observer_buffer_bytes',
    help: 'Bytes of batches waiting for Kafka.',
    registers: [registry],
    collect() {
      this.set(sink.bufferedBytes);
    },
  });
  new Gauge({
    name: 'observer_last_sequence_sent',
    help: 'Sequence number of the last batch Kafka acknowledged.',
    registers: [registry],
    collect() {
      this.set(sink.lastSequenceSent);
    },
  });
  new Gauge({
    name: 'observer_kafka_connected',
    help: '1 while the producer is connected to Kafka.',
    registers: [registry],
    collect() {
      this.set(sink.connected ? 1 : 0);
    },
  });
}

export function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => response.writeHead(500).end(String(err)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}
