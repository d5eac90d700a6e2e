import type { BatchColumns } from '@obscost/events';

/** Names (observer ids, hosts, process names) longer than this are refused: they would crowd the snapshot. */
const MAX_NAME_LENGTH = 255;

/**
 * invalidBatch (batch-validation.ts) for a batch as columns, the way the consumer reads
 * it, with the same messages: the fuzz target `aggregator-record` checks that the two agree.
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
