import type { DecodedBatch } from '@obscost/events';

/** Names (observer ids, hosts, process names) longer than this are refused: they would crowd the snapshot. */
const MAX_NAME_LENGTH = 255;

/**
 * Why a well-formed batch cannot be counted, if it cannot: a negative byte count would make a
 * monotonic counter go down, and a sequence below 1 could never be told from a duplicate.
 */
export function invalidBatch(batch: DecodedBatch): string | undefined {
  const names = [
    ['observer_id', batch.observer_id],
    ['host', batch.host],
    ...batch.processes.map(({ pid, name }) => [`the name of pid ${pid}`, name]),
  ];
  for (const [what, name] of names) {
    if ((name?.length ?? 0) > MAX_NAME_LENGTH) {
      return `${what} is longer than ${MAX_NAME_LENGTH} characters`;
    }
  }
  if (!Number.isSafeInteger(batch.sequence) || batch.sequence < 1) {
    return `sequence ${batch.sequence} is not a positive integer`;
  }
  if (!Number.isSafeInteger(batch.incarnation) || batch.incarnation < 0) {
    return `incarnation ${batch.incarnation} is not a non-negative integer`;
  }
  for (const [index, event] of batch.events.entries()) {
    if (!Number.isSafeInteger(event.bytes) || event.bytes < 0) {
      return `event ${index}: bytes ${event.bytes} is not a non-negative integer`;
    }
    if (event.pid < 0) return `event ${index}: pid ${event.pid} is negative`;
  }
  return undefined;
}
