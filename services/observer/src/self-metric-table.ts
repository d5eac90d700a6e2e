import { EventKind, KIND_NAMES } from '@obscost/events';
import {
  byLabel,
  fromSink,
  hasSink,
  single,
  type MetricDefinition,
  type Sample,
} from './metric-definition.js';
import type { ObserverReadings } from './observer-readings.js';

const ringMode = (observer: ObserverReadings): boolean => observer.kernelCounts === undefined;

/** Each BPF program's statistic, when the kernel keeps them. */
const perProgram =
  (read: (stats: { runTimeNs: number; runCount: number }) => number) =>
  (observer: ObserverReadings): Sample[] =>
    Object.entries(observer.programStats()).map(([program, stats]) => [{ program }, read(stats)]);

/** What observing costs and loses: the ring buffer, the BPF programs, the targets, the capture. */
export const SELF_METRIC_TABLE: readonly MetricDefinition[] = [
  {
    name: 'observer_kernel_drops_total',
    help: 'Events lost because the ring buffer was full, counted in the kernel.',
    type: 'counter',
    labelNames: ['kind'],
    when: ringMode,
    read: (o) =>
      Object.values(EventKind).map((kind) => [{ kind: KIND_NAMES[kind] }, o.kernelDrops(kind)]),
  },
  {
    name: 'observer_decode_errors_total',
    help: 'Ring-buffer records skipped because they were not events.',
    type: 'counter',
    labelNames: ['reason'],
    when: ringMode,
    read: (o) => byLabel('reason', o.decodeErrors),
  },
  {
    name: 'observer_ring_buffer_used_bytes',
    help: 'Bytes in the ring buffer not yet drained.',
    type: 'gauge',
    when: ringMode,
    read: (o) => single(o.ringBufferUsedBytes),
  },
  {
    name: 'observer_ring_buffer_size_bytes',
    help: 'The ring buffer size.',
    type: 'gauge',
    when: ringMode,
    read: (o) => single(o.ringBufferBytes),
  },
  {
    name: 'observer_bpf_stats_enabled',
    help: "1 when the kernel's BPF run-time statistics are on (--bpf-stats on, CAP_SYS_ADMIN), else 0.",
    type: 'gauge',
    read: (o) => single(o.bpfStats ? 1 : 0),
  },
  {
    name: 'observer_bpf_program_run_seconds_total',
    help: 'Time the kernel spent in each BPF program: charged to the observed app.',
    type: 'counter',
    labelNames: ['program'],
    when: (o) => o.bpfStats,
    read: perProgram((stats) => stats.runTimeNs / 1e9),
  },
  {
    name: 'observer_bpf_program_runs_total',
    help: 'Runs of each BPF program.',
    type: 'counter',
    labelNames: ['program'],
    when: (o) => o.bpfStats,
    read: perProgram((stats) => stats.runCount),
  },
  {
    name: 'observer_probe_info',
    help: 'The probe attached for each measurement (1).',
    type: 'gauge',
    labelNames: ['probe', 'mode'],
    read: (o) => [
      ...(o.probes.includes('write') ? [[{ probe: 'write', mode: o.writeMode }, 1] as const] : []),
      ...(o.probes.includes('tcp') ? [[{ probe: 'tcp_send', mode: o.tcpMode }, 1] as const] : []),
    ],
  },
  {
    name: 'observer_targets',
    help: 'Processes observed now.',
    type: 'gauge',
    read: (o) => single(o.targets.length),
  },
  {
    name: 'observer_targets_refused_total',
    help: 'Processes the target named that could not be followed, each counted once, by reason.',
    type: 'counter',
    labelNames: ['reason'],
    read: (o) => byLabel('reason', o.targetRefusals),
  },
  {
    name: 'observer_capture_dropped_events_total',
    help: 'Events of the batches the capture file did not get, once a write to it failed.',
    type: 'counter',
    when: (o) => o.captureDroppedEvents !== undefined,
    read: (o) => single(o.captureDroppedEvents ?? 0),
  },
];

/** What forwarding to Kafka did and lost, when the observer forwards. */
export const FORWARDING_METRIC_TABLE: readonly MetricDefinition[] = [
  {
    name: 'observer_last_sequence',
    help: 'Sequence number of the last batch closed.',
    type: 'gauge',
    when: (o) => o.batcher !== undefined,
    read: (o) => single(o.batcher?.lastSequence ?? 0),
  },
  {
    name: 'observer_batches_sent_total',
    help: 'Batches Kafka acknowledged.',
    type: 'counter',
    when: hasSink,
    read: fromSink((sink) => single(sink.batchesSent)),
  },
  {
    name: 'observer_events_sent_total',
    help: 'Events in the batches Kafka acknowledged.',
    type: 'counter',
    when: hasSink,
    read: fromSink((sink) => single(sink.eventsSent)),
  },
  {
    name: 'observer_dropped_events_total',
    help: 'Events in batches dropped before reaching Kafka.',
    type: 'counter',
    labelNames: ['reason'],
    when: hasSink,
    read: fromSink((sink) => byLabel('reason', sink.dropped)),
  },
  {
    name: 'observer_produce_latency_seconds',
    help: 'Time for Kafka to acknowledge a send (acks=all).',
    type: 'histogram',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    when: hasSink,
    feed: (o, observe) => {
      if (o.sink) o.sink.onSendLatency = observe;
    },
  },
  {
    name: 'observer_buffer_bytes',
    help: 'Bytes of batches waiting for Kafka.',
    type: 'gauge',
    when: hasSink,
    read: fromSink((sink) => single(sink.bufferedBytes)),
  },
  {
    name: 'observer_last_sequence_sent',
    help: 'Sequence number of the last batch Kafka acknowledged.',
    type: 'gauge',
    when: hasSink,
    read: fromSink((sink) => single(sink.lastSequenceSent)),
  },
  {
    name: 'observer_kafka_connected',
    help: '1 while the producer is connected to Kafka.',
    type: 'gauge',
    when: hasSink,
    read: fromSink((sink) => single(sink.connected ? 1 : 0)),
  },
  {
    // kafkajs can resolve a send whose partition's new leader never got it (kafka-answers.ts).
    name: 'observer_kafka_unacknowledged_sends_total',
    help: 'Sends Kafka answered without acknowledging their partition; their batches were sent again.',
    type: 'counter',
    when: hasSink,
    read: fromSink((sink) => single(sink.unacknowledgedSends)),
  },
];
