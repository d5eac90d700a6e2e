import { EVENT_FLAG_SOCKET, type DecodedBatch, type DecodedEvent } from '@obscost/events';

/** The pid of the events unless told, one of the two the batches name `app`. */
export const FIXTURE_PID = 10;

/**
 * An event as the aggregator decodes it: `kind` by its Avro symbol (`WRITE`, `TCP_SEND`, ...),
 * from `pid` (its only thread), on a socket unless `flags` says otherwise; `fields` sets the
 * fd and the timestamp where they matter.
 */
export function decodedEvent(
  kind: string,
  bytes: number,
  pid = FIXTURE_PID,
  flags = EVENT_FLAG_SOCKET,
  fields: Partial<Pick<DecodedEvent, 'fd' | 'timestamp_ns'>> = {},
): DecodedEvent {
  return { timestamp_ns: 1, fd: 3, ...fields, bytes, pid, tid: pid, kind, flags };
}

/**
 * A batch as the aggregator decodes it: run 1 of `observer` on host `h`, whose processes are
 * pids 10 and 11, both `app`, unless `fields` says otherwise.
 */
export function decodedBatch(
  observer: string,
  sequence: number,
  events: DecodedEvent[],
  fields: Partial<Pick<DecodedBatch, 'host' | 'incarnation' | 'processes'>> = {},
): DecodedBatch {
  return {
    observer_id: observer,
    host: 'h',
    sequence,
    incarnation: 1,
    events,
    processes: [
      { pid: FIXTURE_PID, name: 'app' },
      { pid: FIXTURE_PID + 1, name: 'app' },
    ],
    ...fields,
  };
}
