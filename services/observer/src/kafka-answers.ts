import type { RecordMetadata } from 'kafkajs';
import { isRetriable } from '@obscost/errors';

/** What Kafka's answers to a send mean for its records. */

/**
 * Why a resolved send's acknowledgements do not cover its records, or undefined when they do.
 * kafkajs keeps each broker's answer across a send's retries (its PR #1798): if a partition's
 * leader moves to a broker that already answered for another partition, the send resolves
 * though the new leader never got the records. Every record of ours has one key, so one
 * partition (`partition`, once a first acknowledgement named it): it must be answered, with
 * no error, at a real offset.
 */
export function uncoveredBy(
  acks: readonly RecordMetadata[],
  topic: string,
  partition: number | undefined,
): string | undefined {
  const ours = acks.filter((ack) => ack.topicName === topic);
  const answer = partition === undefined ? ours[0] : ours.find((a) => a.partition === partition);
  if (answer === undefined) return `no acknowledgement for partition ${partition ?? 'any'}`;
  const offset = Number(answer.baseOffset ?? -1);
  if (answer.errorCode !== 0 || !Number.isSafeInteger(offset) || offset < 0) {
    return `partition ${answer.partition} answered error ${answer.errorCode} at offset ${answer.baseOffset ?? 'none'}`;
  }
  return undefined;
}

/**
 * The broker's answers that refuse the records themselves: the only failures after which a
 * send's batches are dropped (and counted), since resending them would stall every batch
 * behind them. Other failures that kafkajs marks as not retriable (an authorization refused,
 * an unknown producer id) are about the connection, not the records: waited out like outages,
 * with the buffer's bound (and its drop count) as the limit.
 */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** The Kafka error code (kafkajs's `type`) in `err`'s cause chain that is one of `types`. */
export function kafkaErrorType(err: unknown, types: ReadonlySet<string>): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const type = (e as { type?: string }).type ?? '';
    if (types.has(type)) return type;
  }
  return undefined;
}

export function refusesRecords(err: unknown): boolean {
  return kafkaErrorType(err, RECORD_REFUSALS) !== undefined && !isRetriable(err);
}

export const MISSING_TOPIC = new Set(['UNKNOWN_TOPIC_OR_PARTITION']);
