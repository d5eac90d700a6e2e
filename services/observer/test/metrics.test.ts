import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventKind } from '@obscost/events';
import { EventCounters } from '../src/counters.js';
import { observerRegistry } from '../src/metrics.js';
import type { ObserverReadings, SinkReadings } from '../src/observer-readings.js';
import { PAGE_SIZE } from '../src/ring-buffer.js';
import { event, FakeRing } from './fake-ring.js';

/** An observer that saw a known set of events, dropped some, and forwarded some. */
function readings(): ObserverReadings & { sink: SinkReadings } {
  const counters = new EventCounters();
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(event(EventKind.WRITE, 100));
  ring.push(event(EventKind.WRITE, 50, 1));
  ring.push(event(EventKind.WRITEV, 300, 1));
  ring.push(event(EventKind.WRITEV, 200, 1));
  ring.push(event(EventKind.TCP_SEND, 500));
  ring.push(event(EventKind.UPROBE, 153));
  ring.push(new Uint8Array(12));
  ring.reader().drain(counters.visit);
  const drops: Record<EventKind, number> = { 1: 4, 2: 0, 3: 2, 4: 0 };
  return {
    counters,
    kernelCounts: undefined,
    decodeErrors: counters.decodeErrors,
    tcpMode: 'tp_btf/sock_send_length',
    writeMode: 'fexit/ksys_write',
    targets: [7, 8],
    targetRefusals: { exited: 2, targets_full: 1, attach_failed: 0 },
    captureDroppedEvents: 3,
    ringBufferBytes: 16 * 1024 * 1024,
    ringBufferUsedBytes: 80,
    kernelDrops: (kind) => drops[kind],
    probes: ['write', 'tcp', 'uprobe'],
    bpfStats: true,
    programStats: () => ({
      write_exit: { runTimeNs: 1_500_000_000, runCount: 3 },
      app_write_uprobe: { runTimeNs: 250_000, runCount: 1 },
    }),
    batcher: { lastSequence: 12 },
    sink: {
      batchesSent: 10,
      eventsSent: 900,
      dropped: { buffer_full: 30, rejected: 0, shutdown: 5, unconfirmed: 2 },
      bufferedBytes: 2048,
      lastSequenceSent: 10,
      unacknowledgedSends: 3,
      connected: true,
      onSendLatency: undefined,
    },
  };
}

/** What Prometheus reads from that observer, to the byte. */
const EXPOSITION = `# HELP app_write_events_total write and writev calls by the target that wrote bytes.
# TYPE app_write_events_total counter
app_write_events_total{syscall="write",fd="other"} 1
app_write_events_total{syscall="write",fd="socket"} 1
app_write_events_total{syscall="writev",fd="other"} 0
app_write_events_total{syscall="writev",fd="socket"} 2

# HELP app_write_bytes_total Bytes the target wrote with write and writev.
# TYPE app_write_bytes_total counter
app_write_bytes_total{syscall="write",fd="other"} 100
app_write_bytes_total{syscall="write",fd="socket"} 50
app_write_bytes_total{syscall="writev",fd="other"} 0
app_write_bytes_total{syscall="writev",fd="socket"} 500

# HELP app_tcp_send_events_total TCP sends by the target.
# TYPE app_tcp_send_events_total counter
app_tcp_send_events_total{probe="tp_btf/sock_send_length"} 1

# HELP app_tcp_send_bytes_total Bytes the target sent over TCP.
# TYPE app_tcp_send_bytes_total counter
app_tcp_send_bytes_total{probe="tp_btf/sock_send_length"} 500

# HELP app_uprobe_calls_total Calls of the app_write marker.
# TYPE app_uprobe_calls_total counter
app_uprobe_calls_total 1

# HELP app_uprobe_bytes_total Bytes reported through the app_write marker.
# TYPE app_uprobe_bytes_total counter
app_uprobe_bytes_total 153

# HELP observer_kernel_drops_total Events lost because the ring buffer was full, counted in the kernel.
# TYPE observer_kernel_drops_total counter
observer_kernel_drops_total{kind="write"} 4
observer_kernel_drops_total{kind="writev"} 0
observer_kernel_drops_total{kind="tcp_send"} 2
observer_kernel_drops_total{kind="uprobe"} 0

# HELP observer_decode_errors_total Ring-buffer records skipped because they were not events.
# TYPE observer_decode_errors_total counter
observer_decode_errors_total{reason="size"} 1
observer_decode_errors_total{reason="kind"} 0

# HELP observer_ring_buffer_used_bytes Bytes in the ring buffer not yet drained.
# TYPE observer_ring_buffer_used_bytes gauge
observer_ring_buffer_used_bytes 80

# HELP observer_ring_buffer_size_bytes The ring buffer size.
# TYPE observer_ring_buffer_size_bytes gauge
observer_ring_buffer_size_bytes 16777216

# HELP observer_bpf_stats_enabled 1 when the kernel's BPF run-time statistics are on (--bpf-stats on, CAP_SYS_ADMIN), else 0.
# TYPE observer_bpf_stats_enabled gauge
observer_bpf_stats_enabled 1

# HELP observer_bpf_program_run_seconds_total Time the kernel spent in each BPF program: charged to the observed app.
# TYPE observer_bpf_program_run_seconds_total counter
observer_bpf_program_run_seconds_total{program="write_exit"} 1.5
observer_bpf_program_run_seconds_total{program="app_write_uprobe"} 0.00025

# HELP observer_bpf_program_runs_total Runs of each BPF program.
# TYPE observer_bpf_program_runs_total counter
observer_bpf_program_runs_total{program="write_exit"} 3
observer_bpf_program_runs_total{program="app_write_uprobe"} 1

# HELP observer_probe_info The probe attached for each measurement (1).
# TYPE observer_probe_info gauge
observer_probe_info{probe="write",mode="fexit/ksys_write"} 1
observer_probe_info{probe="tcp_send",mode="tp_btf/sock_send_length"} 1

# HELP observer_targets Processes observed now.
# TYPE observer_targets gauge
observer_targets 2

# HELP observer_targets_refused_total Processes the target named that could not be followed, each counted once, by reason.
# TYPE observer_targets_refused_total counter
observer_targets_refused_total{reason="exited"} 2
observer_targets_refused_total{reason="targets_full"} 1
observer_targets_refused_total{reason="attach_failed"} 0

# HELP observer_capture_dropped_events_total Events of the batches the capture file did not get, once a write to it failed.
# TYPE observer_capture_dropped_events_total counter
observer_capture_dropped_events_total 3

# HELP observer_last_sequence Sequence number of the last batch closed.
# TYPE observer_last_sequence gauge
observer_last_sequence 12

# HELP observer_batches_sent_total Batches Kafka acknowledged.
# TYPE observer_batches_sent_total counter
observer_batches_sent_total 10

# HELP observer_events_sent_total Events in the batches Kafka acknowledged.
# TYPE observer_events_sent_total counter
observer_events_sent_total 900

# HELP observer_dropped_events_total Events in batches dropped before reaching Kafka.
# TYPE observer_dropped_events_total counter
observer_dropped_events_total{reason="buffer_full"} 30
observer_dropped_events_total{reason="rejected"} 0
observer_dropped_events_total{reason="shutdown"} 5
observer_dropped_events_total{reason="unconfirmed"} 2

# HELP observer_produce_latency_seconds Time for Kafka to acknowledge a send (acks=all).
# TYPE observer_produce_latency_seconds histogram
observer_produce_latency_seconds_bucket{le="0.001"} 0
observer_produce_latency_seconds_bucket{le="0.002"} 0
observer_produce_latency_seconds_bucket{le="0.005"} 0
observer_produce_latency_seconds_bucket{le="0.01"} 0
observer_produce_latency_seconds_bucket{le="0.02"} 0
observer_produce_latency_seconds_bucket{le="0.05"} 0
observer_produce_latency_seconds_bucket{le="0.1"} 1
observer_produce_latency_seconds_bucket{le="0.2"} 1
observer_produce_latency_seconds_bucket{le="0.5"} 2
observer_produce_latency_seconds_bucket{le="1"} 2
observer_produce_latency_seconds_bucket{le="2"} 2
observer_produce_latency_seconds_bucket{le="5"} 2
observer_produce_latency_seconds_bucket{le="+Inf"} 2
observer_produce_latency_seconds_sum 0.5625
observer_produce_latency_seconds_count 2

# HELP observer_buffer_bytes Bytes of batches waiting for Kafka.
# TYPE observer_buffer_bytes gauge
observer_buffer_bytes 2048

# HELP observer_last_sequence_sent Sequence number of the last batch Kafka acknowledged.
# TYPE observer_last_sequence_sent gauge
observer_last_sequence_sent 10

# HELP observer_kafka_connected 1 while the producer is connected to Kafka.
# TYPE observer_kafka_connected gauge
observer_kafka_connected 1

# HELP observer_kafka_unacknowledged_sends_total Sends Kafka answered without acknowledging their partition; their batches were sent again.
# TYPE observer_kafka_unacknowledged_sends_total counter
observer_kafka_unacknowledged_sends_total 3
`;

test('/metrics: the exact exposition of a known observer', async () => {
  const observer = readings();
  const registry = observerRegistry(observer);
  observer.sink.onSendLatency?.(0.0625);
  observer.sink.onSendLatency?.(0.5);
  assert.equal(await registry.metrics(), EXPOSITION);
});

test('without forwarding (--no-kafka, no capture), the same but for the forwarding series', async () => {
  const registry = observerRegistry({ ...readings(), batcher: undefined, sink: undefined });
  const forwarding = EXPOSITION.indexOf('# HELP observer_last_sequence ');
  // Metrics are separated by an empty line, and the last one ends with a newline.
  assert.equal(await registry.metrics(), EXPOSITION.slice(0, forwarding - 1));
});

/** The exposition without the metrics from `first` up to (not including) `next`. */
function without(first: string, next: string): string {
  const start = EXPOSITION.indexOf(`# HELP ${first} `);
  return EXPOSITION.slice(0, start) + EXPOSITION.slice(EXPOSITION.indexOf(`# HELP ${next} `));
}

test('without the uprobe or the BPF statistics, the same but for what they count', async () => {
  for (const [off, expected] of [
    [
      { probes: ['write', 'tcp'] },
      without('app_uprobe_calls_total', 'observer_kernel_drops_total'),
    ],
    [
      { bpfStats: false },
      without('observer_bpf_program_run_seconds_total', 'observer_probe_info').replace(
        '\nobserver_bpf_stats_enabled 1\n',
        '\nobserver_bpf_stats_enabled 0\n',
      ),
    ],
  ] as const) {
    const observer = { ...readings(), ...off };
    const registry = observerRegistry(observer);
    observer.sink.onSendLatency?.(0.0625);
    observer.sink.onSendLatency?.(0.5);
    assert.equal(await registry.metrics(), expected, JSON.stringify(off));
  }
});

test('--mode count: the kernel totals with their size histograms, and nothing of the ring buffer', async () => {
  // Two marker calls of 100 bytes (bucket le=256) and one of 5,000 (le=16384).
  const uprobe = { events: 3, bytes: 5200, sizes: [0, 2, 0, 0, 1, 0, 0, 0, 0] };
  const none = { events: 0, bytes: 0, sizes: new Array<number>(9).fill(0) };
  const kernelCounts = {
    totalsOf: (kind: number) => (kind === EventKind.UPROBE ? uprobe : none),
    eventsOf: (kind: number) => (kind === EventKind.UPROBE ? uprobe.events : 0),
    bytesOf: (kind: number) => (kind === EventKind.UPROBE ? uprobe.bytes : 0),
  };
  const registry = observerRegistry({
    ...readings(),
    counters: kernelCounts,
    kernelCounts,
    probes: ['uprobe'],
    bpfStats: false,
    batcher: undefined,
    sink: undefined,
  });
  const text = await registry.metrics();
  assert.match(text, /^app_uprobe_calls_total 3$/m);
  assert.ok(
    text.includes(
      [
        '# HELP app_uprobe_size_bytes Sizes reported through the app_write marker, in bytes.',
        '# TYPE app_uprobe_size_bytes histogram',
        'app_uprobe_size_bytes_bucket{le="64"} 0',
        'app_uprobe_size_bytes_bucket{le="256"} 2',
        'app_uprobe_size_bytes_bucket{le="1024"} 2',
        'app_uprobe_size_bytes_bucket{le="4096"} 2',
        'app_uprobe_size_bytes_bucket{le="16384"} 3',
        'app_uprobe_size_bytes_bucket{le="65536"} 3',
        'app_uprobe_size_bytes_bucket{le="262144"} 3',
        'app_uprobe_size_bytes_bucket{le="1048576"} 3',
        'app_uprobe_size_bytes_bucket{le="+Inf"} 3',
        'app_uprobe_size_bytes_sum 5200',
        'app_uprobe_size_bytes_count 3',
      ].join('\n'),
    ),
    text,
  );
  assert.doesNotMatch(text, /^# HELP observer_(kernel_drops|decode_errors|ring_buffer)/m);
});

test('a loss counter the kernel cannot give fails the scrape with the reason, never reads 0', async () => {
  const unreadable = new Error('cannot read map drops at key 1: Bad address (errno 14)');
  const registry = observerRegistry({
    ...readings(),
    kernelDrops: () => {
      throw unreadable;
    },
  });
  await assert.rejects(registry.metrics(), unreadable);
});
