import { hostname } from 'node:os';
import type { EachBatchPayload, KafkaMessage, Message, Producer } from 'kafkajs';
import { BatchReader, FramingError, type BatchColumns } from '@obscost/events';
import type { AggregatorConfig } from './config.js';
import { invalidColumns } from './batch-validation.js';
import type { PartitionState, RejectReason } from './partition-state.js';

/** A fetch counted into a copy of its partition's state, its dead letters sent. */
export interface CountedFetch {
  /** The copy: it becomes the partition's state once committed. */
  readonly next: PartitionState;
  readonly deadLetters: number;
  /** For each new batch from this host: its oldest event's kernel timestamp (ns), its Kafka timestamp (ms). */
  readonly oldest: OldestEvent[];
}

/** A batch's oldest event: when the kernel saw it (CLOCK_MONOTONIC, ns), when its batch was sent (ms since the epoch). */
export interface OldestEvent {
  readonly kernelNs: number;
  readonly sentMs: number;
}

/** A committed batch's oldest event: each time on CLOCK_MONOTONIC, in ns. */
export interface DelayParts {
  readonly kernelNs: number;
  /** The batch's Kafka timestamp (its send), from ms since the epoch. */
  readonly sentNs: number;
  /** When its fetch reached the consumer. */
  readonly fetchedNs: number;
  readonly committedNs: number;
}

/** CLOCK_MONOTONIC less the epoch clock, in ns: a Kafka timestamp in ms plus this is monotonic. */
const EPOCH_TO_MONOTONIC_NS = Number(process.hrtime.bigint()) - Date.now() * 1e6;

/** A committed batch's oldest event, its send time moved onto CLOCK_MONOTONIC. */
export function delayParts(
  { kernelNs, sentMs }: OldestEvent,
  fetchedNs: number,
  committedNs: number,
): DelayParts {
  return { kernelNs, sentNs: sentMs * 1e6 + EPOCH_TO_MONOTONIC_NS, fetchedNs, committedNs };
}

/** Counts the fetches of the events topic, and sends what it cannot read to the dead letters. */
export class FetchCounter {
  private readonly localHost = hostname();
  /** Reads each record's events straight into columns: no object per event. */
  private readonly reader = new BatchReader();

  constructor(
    private readonly config: Pick<AggregatorConfig, 'topic' | 'dlqTopic'>,
    private readonly producer: () => Producer | undefined,
  ) {}

  /**
   * Counts a fetch into a copy of `committed`, leaving `committed` as it was, and produces
   * its dead letters (acks=all) before the caller commits: a crash may repeat a dead letter
   * but never lose one. Undefined when the fetch brought nothing new.
   */
  async count(
    payload: EachBatchPayload,
    committed: PartitionState,
  ): Promise<CountedFetch | undefined> {
    const { batch } = payload;
    const next = committed.clone();
    const deadLetters: Message[] = [];
    const oldest: OldestEvent[] = [];
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const offset = Number(message.offset);
      // A fetch may start before the committed offset: those records are already counted.
      if (offset < next.nextOffset) continue;
      let decoded: BatchColumns;
      try {
        decoded = this.reader.read(message.value ?? Buffer.alloc(0));
      } catch (err) {
        if (!(err instanceof FramingError)) throw err;
        next.reject(err.reason, offset);
        deadLetters.push(this.deadLetter(message, batch.partition, err.reason, err.message));
        continue;
      }
      const invalid = invalidColumns(decoded);
      if (invalid !== undefined) {
        next.reject('invalid', offset);
        deadLetters.push(this.deadLetter(message, batch.partition, 'invalid', invalid));
        continue;
      }
      const added = next.addColumns(decoded, offset, Number(message.timestamp));
      if (added && decoded.host === this.localHost && decoded.length > 0) {
        oldest.push({
          kernelNs: decoded.timestampNs[0] as number,
          sentMs: Number(message.timestamp),
        });
      }
    }
    if (next.nextOffset === committed.nextOffset) {
      // Nothing new, but the records read past must not be fetched again.
      const last = batch.messages.at(-1);
      if (last !== undefined && Number(last.offset) < next.nextOffset) {
        payload.resolveOffset(last.offset);
      }
      return undefined;
    }
    if (deadLetters.length > 0) {
      await this.producer()?.send({
        topic: this.config.dlqTopic,
        acks: -1,
        messages: deadLetters,
      });
    }
    return { next, deadLetters: deadLetters.length, oldest };
  }

  private deadLetter(
    message: KafkaMessage,
    partition: number,
    reason: RejectReason,
    error: string,
  ): Message {
    return {
      key: message.key,
      value: message.value,
      headers: {
        'obscost.reason': reason,
        'obscost.error': error,
        'obscost.source': `${this.config.topic}/${partition}/${message.offset}`,
      },
    };
  }
}
