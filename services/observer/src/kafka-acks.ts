import type { RecordMetadata } from 'kafkajs';

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
