/**
 * The observer's kernel side, Kafka sink and capture file without a kernel, Kafka or disk:
 * each records what it is asked, for tests of the stages without root.
 */
import type { EventKind } from '@obscost/events';
import type { ClosedBatch } from '../src/batcher.js';
import type { KernelSide } from '../src/kernel.js';
import type { ProgramStats } from '../src/kernel-stats.js';
import type { BatchCapture, BatchSink } from '../src/pipeline.js';
import { PAGE_SIZE, type RecordVisitor } from '../src/ring-buffer.js';
import { TCP_PROBE_MODES, WRITE_PROBE_MODES } from '../src/probe-vocabulary.js';
import { FakeRing } from './fake-ring.js';

export class FakeKernel implements KernelSide {
  readonly tcpMode = TCP_PROBE_MODES.tracepoint;
  readonly writeMode = WRITE_PROBE_MODES.tracepoint;
  readonly bpfObject = 'fake.bpf.o';
  /** What the probes write: push events here. */
  readonly fakeRing = new FakeRing(16 * PAGE_SIZE);
  readonly ring;
  readonly counts = undefined;
  kernelDrops: Partial<Record<EventKind, number>> = {};
  stats: Record<string, ProgramStats> = {};

  /** `calls` is shared with the other fakes, to see the order of everything. */
  constructor(readonly calls: string[] = []) {
    const reader = this.fakeRing.reader();
    this.ring = {
      // Only drains that found records are worth a line: the loop polls all the time.
      drain: (visit: RecordVisitor): number => {
        const records = reader.drain(visit);
        if (records > 0) calls.push(`kernel: drained ${records}`);
        return records;
      },
      get pending(): number {
        return reader.pending;
      },
    };
  }

  /** Pids whose add fails, with the error it throws. */
  readonly refuse = new Map<number, Error>();

  addTarget(pid: number): void {
    const error = this.refuse.get(pid);
    if (error) throw error;
    this.calls.push(`kernel: add ${pid}`);
  }

  removeTarget(pid: number): void {
    this.calls.push(`kernel: remove ${pid}`);
  }

  drops(kind: EventKind): number {
    return this.kernelDrops[kind] ?? 0;
  }

  programStats(): Record<string, ProgramStats> {
    return this.stats;
  }

  detach(): void {
    this.calls.push('kernel: detach');
  }

  close(): void {
    this.calls.push('kernel: close');
  }
}

/** Records each batch and the close; `batches` keeps them for decoding. */
export class FakeSink implements BatchSink {
  readonly batches: ClosedBatch[] = [];

  constructor(readonly calls: string[] = []) {}

  enqueue(batch: ClosedBatch): void {
    this.batches.push(batch);
    this.calls.push(`sink: batch ${batch.sequence} (${batch.events} events)`);
  }

  close(timeoutMs: number): Promise<void> {
    this.calls.push(`sink: close within ${timeoutMs} ms`);
    return Promise.resolve();
  }
}

export class FakeCapture implements BatchCapture {
  /** Set, every write from now on fails with it (a full disk). */
  failure: Error | undefined;

  constructor(readonly calls: string[] = []) {}

  write(): void {
    if (this.failure) throw this.failure;
    this.calls.push('capture: batch');
  }

  close(): void {
    this.calls.push('capture: close');
  }
}
