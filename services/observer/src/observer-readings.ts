import type { EventKind } from '@obscost/events';
import type { DecodeError, EventTotals } from './counters.js';
import type { DropReason } from './kafka-sink.js';
import type { KernelTotals } from './kernel-counts.js';
import type { ProgramStats } from './kernel-stats.js';
import type { Probe } from './probe-vocabulary.js';

/** What forwarding did, as KafkaSink counts it. */
export interface SinkReadings {
  readonly batchesSent: number;
  readonly eventsSent: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly bufferedBytes: number;
  readonly lastSequenceSent: number;
  readonly unacknowledgedSends: number;
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
  readonly writeMode: string;
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
