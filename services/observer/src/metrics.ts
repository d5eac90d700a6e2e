import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EVENT_METRICS, EventKind, KIND_NAMES } from '@obscost/events';
import type { EventCounters } from './counters.js';
import type { DropReason } from './kafka-sink.js';
import type { ProgramStats } from './kernel-stats.js';
import type { Probe } from './probes.js';

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
  readonly counters: EventCounters;
  readonly tcpMode: string;
  /** The probes attached (--probes): only theirs are counted. */
  readonly probes: readonly Probe[];
  readonly targets: readonly number[];
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
 * observing cost and lost. Values are read from the observer at scrape time.
 */
export function observerRegistry(observer: ObserverReadings): Registry {
  const registry = new Registry();
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
      for (const [reason, count] of Object.entries(counters.decodeErrors)) m.inc({ reason }, count);
    },
  );
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
  forwardingMetrics(registry, observer, counter);
  return registry;
}

/** What forwarding to Kafka did and lost, when the observer forwards. */
function forwardingMetrics(
  registry: Registry,
  observer: ObserverReadings,
  counter: (name: string, help: string, labelNames: string[], read: (c: Counter) => void) => void,
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
