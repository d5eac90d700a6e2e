import { hostname } from 'node:os';
import type { EachBatchPayload, KafkaMessage, Message, Producer } from 'kafkajs';
import { decodeBatch, FramingError, type DecodedBatch } from '@obscost/events';
import type { AggregatorConfig } from './config.js';
import { invalidBatch } from './batch-validation.js';
import type { PartitionState, RejectReason } from './partition-state.js';

/** A fetch counted into a copy of its partition's state, its dead letters sent. */
export interface CountedFetch {
  /** The copy: it becomes the partition's state once committed. */
  readonly next: PartitionState;
  readonly deadLetters: number;
  /** For each new batch from this host, its oldest event's kernel timestamp (ns). */
  readonly oldest: number[];
}

/** Counts the fetches of the events topic, and sends what it cannot read to the dead letters. */
export class FetchCounter {
  private readonly localHost = hostname();

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
    const oldest: number[] = [];
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const offset = Number(message.offset);
      // A fetch may start before the committed offset: those records are already counted.
      if (offset < next.nextOffset) continue;
      let decoded: DecodedBatch;
      try {
        decoded = decodeBatch(message.value ?? Buffer.alloc(0));
      } catch (err) {
        if (!(err instanceof FramingError)) throw err;
        next.reject(err.reason, offset);
        deadLetters.push(this.deadLetter(message, batch.partition, err.reason, err.message));
        continue;
      }
      const invalid = invalidBatch(decoded);
      if (invalid !== undefined) {
        next.reject('invalid', offset);
        deadLetters.push(this.deadLetter(message, batch.partition, 'invalid', invalid));
        continue;
      }
      if (next.add(decoded, offset, Number(message.timestamp)) && decoded.host === this.localHost) {
        const first = decoded.events[0];
        if (first !== undefined) oldest.push(first.timestamp_ns);
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
