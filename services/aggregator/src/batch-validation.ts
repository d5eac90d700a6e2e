import { columnsOf, type BatchColumns, type DecodedBatch } from '@obscost/events';

/** Names (observer ids, hosts, process names) longer than this are refused: they would crowd the snapshot. */
const MAX_NAME_LENGTH = 255;

/**
 * Why a well-formed batch cannot be counted, if it cannot: a name that would crowd the
 * snapshot, a negative byte count (a monotonic counter would go down), a sequence below 1
 * (never to be told from a duplicate). The batch as columns, the way the consumer reads it.
 */
export function invalidColumns(batch: BatchColumns): string | undefined {
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
  for (let index = 0; index < batch.length; index++) {
    const bytes = batch.bytes[index] as number;
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      return `event ${index}: bytes ${bytes} is not a non-negative integer`;
    }
    const pid = batch.pid[index] as number;
    if (pid < 0) return `event ${index}: pid ${pid} is negative`;
  }
  return undefined;
}

/** The same, for a batch decoded into objects (avsc's reading). */
export function invalidBatch(batch: DecodedBatch): string | undefined {
  return invalidColumns(columnsOf(batch));
}
