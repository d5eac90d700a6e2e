import type { EventFamily } from '@obscost/events';
import type { ObserverRuns, SequenceCounts } from './observer-runs.js';
import type { SeriesAttributes, SeriesTable, SeriesTotals } from './series-table.js';

/** A series as a tuple, to keep snapshots small: its attributes, events, bytes and buckets. */
export type SeriesRow = [
  EventFamily,
  string,
  string,
  string | null,
  SeriesTotals['syscall'] | null,
  SeriesTotals['fd'] | null,
  number,
  number,
  number[],
];

/** Observer id, incarnation, its latest sequence number, the Kafka timestamp of that batch. */
export type RunRow = [string, number, number, number];

/**
 * A state as plain data: what a fetch's copy is made from and what the snapshot codec writes.
 * It may share arrays with its state until `PartitionState.fromData` has copied them.
 */
export interface PartitionData {
  nextOffset: number;
  records: number;
  events: number;
  unknownKindEvents: number;
  rejected: Record<string, number>;
  sequences: Record<string, SequenceCounts>;
  /** The latest incarnation among the runs forgotten as silent; -1 before any. */
  forgottenThrough: number;
  /** Events counted under the overflow series, past the series limit. */
  overflowEvents: number;
  series: SeriesRow[];
  observers: RunRow[];
}

export function seriesRows(table: SeriesTable): SeriesRow[] {
  return [...table.all()].map((s) => [
    s.family,
    s.host,
    s.process,
    s.pid ?? null,
    s.syscall ?? null,
    s.fd ?? null,
    s.events,
    s.bytes,
    s.buckets,
  ]);
}

/** The rows back into `table`, sharing no array with them. */
export function restoreSeries(table: SeriesTable, rows: readonly SeriesRow[]): void {
  for (const [family, host, process, pid, syscall, fd, events, bytes, buckets] of rows) {
    const attributes: SeriesAttributes = {
      family,
      host,
      process,
      pid: pid ?? undefined,
      syscall: syscall ?? undefined,
      fd: fd ?? undefined,
    };
    const series = table.seriesFor(attributes);
    series.events = events;
    series.bytes = bytes;
    buckets.forEach((count, i) => (series.buckets[i] = count));
  }
}

export function runRows(runs: ObserverRuns): RunRow[] {
  return [...runs.runs].flatMap(([id, byIncarnation]) =>
    [...byIncarnation].map(([incarnation, { sequence, seenAtMs }]): RunRow => [
      id,
      incarnation,
      sequence,
      seenAtMs,
    ]),
  );
}

/** The rows back into `runs`, with their hosts' sequence counts copied. */
export function restoreRuns(runs: ObserverRuns, data: PartitionData): void {
  for (const [host, counts] of Object.entries(data.sequences)) {
    runs.sequences.set(host, { ...counts });
  }
  runs.forgottenThrough = data.forgottenThrough;
  for (const [id, incarnation, sequence, seenAtMs] of data.observers) {
    runs.restore(id, incarnation, { sequence, seenAtMs });
  }
}
