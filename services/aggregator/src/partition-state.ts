import { columnsOf, type BatchColumns, type DecodedBatch } from '@obscost/events';
import { ObserverRuns, type SequenceCounts } from './observer-runs.js';
import {
  restoreRuns,
  restoreSeries,
  runRows,
  seriesRows,
  type PartitionData,
} from './partition-data.js';
import { invalidColumns } from './batch-validation.js';
import { SeriesTable, type SeriesTotals } from './series-table.js';
import { DEFAULT_MAX_SERIES, MIN_SERIES, quarterOf } from './state-limits.js';

/** Why a record went to the dead-letter topic instead of into the totals. */
export type RejectReason = 'not-single-object' | 'unknown-schema' | 'malformed' | 'invalid';

/**
 * What one input partition has contributed: the totals of every series, the observers'
 * latest sequence numbers, the records rejected, and the offset of the next record to read.
 * It is saved as the metadata of the partition's committed offset, so the totals and the
 * position in the partition are committed by one write and can never disagree.
 */
export class PartitionState {
  /** Why a batch read as columns cannot be counted, if it cannot (dead-lettered as `invalid`). */
  static readonly invalid = invalidColumns;
  nextOffset = 0;
  records = 0;
  events = 0;
  /** Events of a kind this aggregator does not know (UNSPECIFIED). */
  unknownKindEvents = 0;
  readonly rejected = new Map<RejectReason, number>();
  private readonly series: SeriesTable;
  private readonly runs: ObserverRuns;

  /**
   * @param withPid whether the pid is an attribute of the series (more series: one per pid
   *   instead of one per process name).
   * @param maxSeries past this many series, the events of a new series are counted under an
   *   overflow series of their kind (host and process `_overflow`), so the state, and the
   *   snapshot that must fit an offset commit, stays bounded.
   */
  constructor(
    readonly withPid: boolean,
    private maxSeries = DEFAULT_MAX_SERIES,
  ) {
    this.series = new SeriesTable(withPid, maxSeries);
    this.runs = new ObserverRuns(quarterOf(maxSeries));
  }

  /** What the observers' sequence numbers said, per host. */
  get sequences(): ReadonlyMap<string, SequenceCounts> {
    return this.runs.sequences;
  }

  /** The latest incarnation among the runs forgotten as silent; -1 before any. */
  get forgottenThrough(): number {
    return this.runs.forgottenThrough;
  }

  /** Events counted under the overflow series because the state held maxSeries series. */
  get overflowEvents(): number {
    return this.series.overflowEvents;
  }

  /**
   * Halves the limits: the series past the new one are folded into the overflow series of
   * their kind, the hosts past it into `_overflow`'s sequence counts, and the least recently
   * heard runs forgotten. What a commit does when the snapshot does not fit.
   * @returns false when the limits are already at their lowest.
   */
  shrink(): boolean {
    if (this.maxSeries <= MIN_SERIES) return false;
    this.maxSeries = Math.max(MIN_SERIES, Math.floor(this.maxSeries / 2));
    this.series.shrink(this.maxSeries);
    this.runs.shrink(quarterOf(this.maxSeries));
    return true;
  }

  allSeries(): IterableIterator<SeriesTotals> {
    return this.series.all();
  }

  /**
   * Counts one decoded batch read at `offset`, unless it is a duplicate or a stale batch
   * (ObserverRuns.admit), which adds nothing.
   * @returns false for a duplicate or a stale batch.
   */
  add(batch: DecodedBatch, offset: number, timestampMs: number): boolean {
    return this.addColumns(columnsOf(batch), offset, timestampMs);
  }

  /** `add` for a batch as columns (BatchReader's), the consumer's way. */
  addColumns(batch: BatchColumns, offset: number, timestampMs: number): boolean {
    this.nextOffset = offset + 1;
    this.records++;
    const { observer_id, host, sequence, incarnation } = batch;
    // admit reads the run's header only; its type asks for a whole decoded batch.
    const header = { observer_id, host, sequence, incarnation, events: [], processes: [] };
    if (!this.runs.admit(header, timestampMs)) return false;
    this.unknownKindEvents += this.series.count(batch);
    this.events += batch.length;
    return true;
  }

  /** Forgets the runs silent for `ttlMs`, and past the limit the least recently heard. */
  forgetSilentRuns(ttlMs: number): void {
    this.runs.forgetSilent(ttlMs);
  }

  reject(reason: RejectReason, offset: number): void {
    this.nextOffset = offset + 1;
    this.records++;
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  /** A deep copy: a fetch is counted into a copy, which replaces this state once committed. */
  clone(): PartitionState {
    return PartitionState.fromData(this.toData(), this.withPid, this.maxSeries);
  }

  /** The state as plain data, for `fromData` or the snapshot codec to read at once. */
  toData(): PartitionData {
    return {
      nextOffset: this.nextOffset,
      records: this.records,
      events: this.events,
      unknownKindEvents: this.unknownKindEvents,
      rejected: Object.fromEntries(this.rejected),
      sequences: Object.fromEntries(this.runs.sequences),
      forgottenThrough: this.runs.forgottenThrough,
      overflowEvents: this.series.overflowEvents,
      series: seriesRows(this.series),
      observers: runRows(this.runs),
    };
  }

  /** A state from `toData`'s plain data, sharing nothing mutable with it. */
  static fromData(
    data: PartitionData,
    withPid: boolean,
    maxSeries = DEFAULT_MAX_SERIES,
  ): PartitionState {
    const state = new PartitionState(withPid, maxSeries);
    state.nextOffset = data.nextOffset;
    state.records = data.records;
    state.events = data.events;
    state.unknownKindEvents = data.unknownKindEvents;
    for (const [reason, count] of Object.entries(data.rejected)) {
      state.rejected.set(reason as RejectReason, count);
    }
    restoreRuns(state.runs, data);
    state.series.overflowEvents = data.overflowEvents;
    restoreSeries(state.series, data.series);
    return state;
  }
}
