import { describeFailure } from '@obscost/errors';
import { BatchEncoder } from '@obscost/events';
import type { ProcessName } from '@obscost/events';
import { Batcher, type ClosedBatch } from './batcher.js';
import { EventCounters } from './counters.js';
import type { KernelSide } from './kernel.js';
import type { RecordVisitor } from './ring-buffer.js';

/** Where closed batches go: Kafka (KafkaSink), or a test's recorder. */
export interface BatchSink {
  enqueue(batch: ClosedBatch): void;
  /** Delivers what is buffered, for at most `timeoutMs`; what is left is counted as dropped. */
  close(timeoutMs: number): Promise<void>;
}

/** A file every batch is also written to (CaptureWriter). */
export interface BatchCapture {
  write(record: Buffer): void;
  close(): void;
}

export interface Outputs<S extends BatchSink> {
  readonly sink?: S | undefined;
  readonly capture?: BatchCapture | undefined;
}

export interface BatchOptions {
  readonly observerId: string;
  readonly host: string;
  /** When this run started (ms since the epoch): with observerId, it names the run in each batch. */
  readonly incarnation: number;
  readonly batchBytes: number;
  readonly batchAgeMs: number;
  /** Where a failure of the capture file is told. */
  readonly log?: (line: string) => void;
}

/**
 * What happens to each drained record: it is counted, and when the observer forwards, it
 * is appended to the open batch; a closed batch goes to the capture file and the sink.
 */
export class Pipeline<S extends BatchSink = BatchSink> {
  readonly counters = new EventCounters();
  readonly batcher: Batcher | undefined;
  /** Called once per record by the ring buffer's drain. */
  readonly visit: RecordVisitor;
  /** Events of the batches the capture file did not get, once a write to it failed. */
  captureDroppedEvents = 0;
  private captureFailed = false;
  private readonly log: (line: string) => void;

  constructor(
    readonly outputs: Outputs<S>,
    options: BatchOptions,
  ) {
    const { sink, capture } = outputs;
    this.log = options.log ?? (() => undefined);
    if (!sink && !capture) {
      this.visit = this.counters.visit;
      return;
    }
    const forward = (batch: ClosedBatch): void => {
      if (capture) this.toCapture(capture, batch);
      sink?.enqueue(batch);
    };
    const { observerId, host, incarnation, batchBytes, batchAgeMs } = options;
    const batcher = new Batcher(
      new BatchEncoder(observerId, host, incarnation, batchBytes),
      batchAgeMs,
      forward,
    );
    this.batcher = batcher;
    // One closure call per record, as the drain calls it: the counters' visitor stays
    // the hot path, and only events it accepted are copied into the batch.
    const count = this.counters.visit;
    this.visit = (words, offset, length) => {
      if (count(words, offset, length)) batcher.add(words, offset);
    };
  }

  /** Closes the open batch if it has waited --batch-age: run at each poll. */
  tick(): void {
    this.batcher?.tick();
  }

  /**
   * The first failed write (a full disk) ends the capture: the file keeps its whole batches,
   * the reason is logged, the events of every later batch are counted as not captured, and
   * forwarding goes on.
   */
  private toCapture(capture: BatchCapture, batch: ClosedBatch): void {
    if (!this.captureFailed) {
      try {
        capture.write(batch.record);
        return;
      } catch (err) {
        this.captureFailed = true;
        this.log(
          `observer: capture stopped: ${describeFailure(err).line}; the file holds batches 1 to ` +
            `${batch.sequence - 1}, later events are counted in observer_capture_dropped_events_total`,
        );
      }
    }
    this.captureDroppedEvents += batch.events;
  }

  /** Ends the capture file, if any; a failure to is logged, not thrown: the shutdown goes on. */
  closeCapture(): void {
    try {
      this.outputs.capture?.close();
    } catch (err) {
      this.log(`observer: cannot close the capture file: ${describeFailure(err).line}`);
    }
  }

  /** The targets' names, carried by every batch closed from now on. */
  nameProcesses(processes: readonly ProcessName[]): void {
    if (this.batcher) this.batcher.processes = processes;
  }
}

/**
 * The shutdown order, each step needing the one before: the probes detached (no new
 * event), what they left drained, the open batch closed, the capture file closed, the
 * kernel side closed (the ring buffer is unmapped only once drained), and last the wait
 * for Kafka, bounded by --flush-timeout, since nothing else depends on it.
 */
export async function shutDown(
  kernel: Pick<KernelSide, 'detach' | 'ring' | 'close'>,
  pipeline: Pipeline,
  flushTimeoutMs: number,
): Promise<void> {
  kernel.detach();
  kernel.ring.drain(pipeline.visit);
  pipeline.batcher?.flush();
  pipeline.closeCapture();
  kernel.close();
  await pipeline.outputs.sink?.close(flushTimeoutMs);
}
