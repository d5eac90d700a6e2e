import { performance } from 'node:perf_hooks';
import type { BatchEncoder, ProcessName } from '@obscost/events';

export interface ClosedBatch {
  /** The Kafka record value: an EventBatch in Avro single-object encoding. */
  record: Buffer;
  events: number;
  sequence: number;
}

/**
 * Groups drained events into batches that close on size or on age: small and prompt when
 * events are rare, large when they flood. Sequence numbers start at 1 and grow by one per
 * batch, so a consumer sees any batch that went missing.
 */
export class Batcher {
  private sequence = 0;
  private openedAt = 0;
  /** The targets' names, written into each batch so consumers can name the pids. */
  processes: readonly ProcessName[] = [];

  /** @param encoder writes the batches, full at its maxBytes. */
  constructor(
    private readonly encoder: BatchEncoder,
    private readonly maxAgeMs: number,
    private readonly onBatch: (batch: ClosedBatch) => void,
  ) {}

  get lastSequence(): number {
    return this.sequence;
  }

  /** Adds the event at byte `offset` of the ring buffer's `words`. */
  add(words: Uint32Array, offset: number): void {
    if (this.encoder.events === 0) this.openedAt = performance.now();
    this.encoder.append(words, offset >>> 2);
    if (this.encoder.full) this.close();
  }

  /** Closes the open batch if it has waited `maxAgeMs`. */
  tick(now = performance.now()): void {
    if (this.encoder.events > 0 && now - this.openedAt >= this.maxAgeMs) this.close();
  }

  /** Closes the open batch, whatever its age. */
  flush(): void {
    if (this.encoder.events > 0) this.close();
  }

  private close(): void {
    const events = this.encoder.events;
    this.sequence++;
    this.onBatch({
      record: this.encoder.close(this.sequence, this.processes),
      events,
      sequence: this.sequence,
    });
  }
}
