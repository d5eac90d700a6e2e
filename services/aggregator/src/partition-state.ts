import {
  EVENT_FLAG_SOCKET,
  EventKind,
  KIND_NAMES,
  SIZE_BOUNDS,
  sizeBucket,
  type DecodedBatch,
  type EventFamily,
} from '@obscost/events';

/** One exported series: its attributes, and its counts so far. */
export interface SeriesTotals {
  readonly family: EventFamily;
  readonly host: string;
  readonly process: string;
  /** Only with --pid-attribute: the process id as text. */
  readonly pid: string | undefined;
  /** write and writev share app_write_*; this tells them apart, like the observer's label. */
  readonly syscall: string | undefined;
  /** For writes: `socket` when the fd was a socket, else `other`. */
  readonly fd: 'socket' | 'other' | undefined;
  events: number;
  bytes: number;
  /** Events per SIZE_BOUNDS bucket, the last one unbounded. */
  readonly buckets: number[];
}

type SeriesAttributes = Omit<SeriesTotals, 'events' | 'bytes' | 'buckets'>;

/** What the observers' sequence numbers said: per host, batches that never arrived or came twice. */
export interface SequenceCounts {
  gaps: number;
  duplicates: number;
}

/** Why a record went to the dead-letter topic instead of into the totals. */
export type RejectReason = 'not-single-object' | 'unknown-schema' | 'malformed';

/**
 * A state as plain data: what a fetch's copy is made from and what the snapshot codec writes.
 * It may share arrays with its state until `fromData` has copied them. Series and observers
 * are tuples to keep snapshots small.
 */
export interface PartitionData {
  nextOffset: number;
  records: number;
  events: number;
  unknownKindEvents: number;
  rejected: Record<string, number>;
  sequences: Record<string, SequenceCounts>;
  series: [
    EventFamily,
    string,
    string,
    string | null,
    SeriesTotals['syscall'] | null,
    SeriesTotals['fd'] | null,
    number,
    number,
    number[],
  ][];
  /** Observer id, its latest sequence number, the Kafka timestamp of its latest batch. */
  observers: [string, number, number][];
}

/** A pid's series, by slot: write on socket/other, writev on socket/other, TCP send, uprobe. */
const SLOTS: readonly Pick<SeriesAttributes, 'family' | 'syscall' | 'fd'>[] = [
  { family: 'write', syscall: KIND_NAMES[EventKind.WRITE], fd: 'socket' },
  { family: 'write', syscall: KIND_NAMES[EventKind.WRITE], fd: 'other' },
  { family: 'write', syscall: KIND_NAMES[EventKind.WRITEV], fd: 'socket' },
  { family: 'write', syscall: KIND_NAMES[EventKind.WRITEV], fd: 'other' },
  { family: 'tcp_send', syscall: undefined, fd: undefined },
  { family: 'uprobe', syscall: undefined, fd: undefined },
];
/** Slots below this are writes, whose `other` series is the slot after the `socket` one. */
const WRITE_SLOTS = 4;
const FIRST_SLOT: Record<EventKind, number> = {
  [EventKind.WRITE]: 0,
  [EventKind.WRITEV]: 2,
  [EventKind.TCP_SEND]: 4,
  [EventKind.UPROBE]: 5,
};
/**
 * The decoder names a kind by its Avro enum symbol, which is EventKind's key (lib/events's
 * layout test checks the schema's symbols against it). Looked up per event: built once.
 */
const KIND_SLOT: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(EventKind).map(([symbol, kind]) => [symbol, FIRST_SLOT[kind]]),
);

/**
 * What one input partition has contributed: the totals of every series, the observers'
 * latest sequence numbers, the records rejected, and the offset of the next record to read.
 * It is saved as the metadata of the partition's committed offset, so the totals and the
 * position in the partition are committed by one write and can never disagree.
 */
export class PartitionState {
  nextOffset = 0;
  records = 0;
  events = 0;
  /** Events of a kind this aggregator does not know (UNSPECIFIED). */
  unknownKindEvents = 0;
  readonly rejected = new Map<RejectReason, number>();
  readonly sequences = new Map<string, SequenceCounts>();
  private readonly series = new Map<string, SeriesTotals>();
  /** Per observer id: its latest sequence number and the Kafka timestamp of that batch. */
  private readonly observers = new Map<string, { sequence: number; seenAtMs: number }>();
  /** Per host and process (and pid with withPid): the series by slot, filled as they appear. */
  private readonly slotCache = new Map<string, (SeriesTotals | undefined)[]>();

  /**
   * @param withPid whether the pid is an attribute of the series (more series: one per pid
   *   instead of one per process name).
   */
  constructor(readonly withPid: boolean) {}

  allSeries(): IterableIterator<SeriesTotals> {
    return this.series.values();
  }

  /**
   * Counts one decoded batch read at `offset`. A batch whose sequence number its observer
   * already passed is a duplicate (a replay of events already counted) and adds nothing.
   * @returns false for a duplicate.
   */
  add(batch: DecodedBatch, offset: number, timestampMs: number): boolean {
    this.nextOffset = offset + 1;
    this.records++;
    const counts = this.sequenceCounts(batch.host);
    const last = this.observers.get(batch.observer_id);
    if (last !== undefined && batch.sequence <= last.sequence) {
      counts.duplicates++;
      return false;
    }
    // An observer seen for the first time may have started before the topic's retention
    // or a rebuild's start: only a jump after a known sequence is a gap.
    if (last !== undefined) counts.gaps += batch.sequence - last.sequence - 1;
    this.observers.set(batch.observer_id, { sequence: batch.sequence, seenAtMs: timestampMs });
    this.countEvents(batch);
    return true;
  }

  reject(reason: RejectReason, offset: number): void {
    this.nextOffset = offset + 1;
    this.records++;
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  /** The hot loop: series found once per pid, a bucket found by comparisons. */
  private countEvents(batch: DecodedBatch): void {
    const names = new Map<number, string>();
    for (const { pid, name } of batch.processes) names.set(pid, name);
    let lastPid = -1;
    let slots: (SeriesTotals | undefined)[] = [];
    let process = '';
    for (const event of batch.events) {
      if (event.pid !== lastPid) {
        lastPid = event.pid;
        process = names.get(event.pid) ?? 'unknown';
        slots = this.slotsFor(batch.host, process, event.pid);
      }
      const kindSlot = KIND_SLOT[event.kind];
      if (kindSlot === undefined) {
        this.unknownKindEvents++;
        continue;
      }
      const slot =
        kindSlot < WRITE_SLOTS && (event.flags & EVENT_FLAG_SOCKET) === 0 ? kindSlot + 1 : kindSlot;
      let series = slots[slot];
      if (series === undefined) {
        series = this.seriesFor({
          ...(SLOTS[slot] as (typeof SLOTS)[number]),
          host: batch.host,
          process,
          pid: this.withPid ? String(event.pid) : undefined,
        });
        slots[slot] = series;
      }
      series.events++;
      series.bytes += event.bytes;
      (series.buckets[sizeBucket(event.bytes)] as number)++;
    }
    this.events += batch.events.length;
  }

  private slotsFor(host: string, process: string, pid: number): (SeriesTotals | undefined)[] {
    const key = this.withPid ? `${host}\0${process}\0${pid}` : `${host}\0${process}`;
    let slots = this.slotCache.get(key);
    if (slots === undefined) {
      slots = new Array<SeriesTotals | undefined>(SLOTS.length).fill(undefined);
      this.slotCache.set(key, slots);
    }
    return slots;
  }

  private seriesFor(attributes: SeriesAttributes): SeriesTotals {
    const { family, host, process, pid, syscall, fd } = attributes;
    const key = [family, host, process, pid, syscall, fd].join('\0');
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        ...attributes,
        events: 0,
        bytes: 0,
        buckets: new Array<number>(SIZE_BOUNDS.length + 1).fill(0),
      };
      this.series.set(key, series);
    }
    return series;
  }

  private sequenceCounts(host: string): SequenceCounts {
    let counts = this.sequences.get(host);
    if (counts === undefined) {
      counts = { gaps: 0, duplicates: 0 };
      this.sequences.set(host, counts);
    }
    return counts;
  }

  /** A deep copy: a fetch is counted into a copy, which replaces this state once committed. */
  clone(): PartitionState {
    return PartitionState.fromData(this.toData(), this.withPid);
  }

  /** The state as plain data, for `fromData` or the snapshot codec to read at once. */
  toData(): PartitionData {
    return {
      nextOffset: this.nextOffset,
      records: this.records,
      events: this.events,
      unknownKindEvents: this.unknownKindEvents,
      rejected: Object.fromEntries(this.rejected),
      sequences: Object.fromEntries(this.sequences),
      series: [...this.series.values()].map((s) => [
        s.family,
        s.host,
        s.process,
        s.pid ?? null,
        s.syscall ?? null,
        s.fd ?? null,
        s.events,
        s.bytes,
        s.buckets,
      ]),
      observers: [...this.observers].map(([id, { sequence, seenAtMs }]) => [
        id,
        sequence,
        seenAtMs,
      ]),
    };
  }

  /** A state from `toData`'s plain data, sharing nothing mutable with it. */
  static fromData(data: PartitionData, withPid: boolean): PartitionState {
    const state = new PartitionState(withPid);
    state.nextOffset = data.nextOffset;
    state.records = data.records;
    state.events = data.events;
    state.unknownKindEvents = data.unknownKindEvents;
    for (const [reason, count] of Object.entries(data.rejected)) {
      state.rejected.set(reason as RejectReason, count);
    }
    for (const [host, counts] of Object.entries(data.sequences)) {
      state.sequences.set(host, { ...counts });
    }
    for (const [family, host, process, pid, syscall, fd, events, bytes, buckets] of data.series) {
      const series = state.seriesFor({
        family,
        host,
        process,
        pid: pid ?? undefined,
        syscall: syscall ?? undefined,
        fd: fd ?? undefined,
      });
      series.events = events;
      series.bytes = bytes;
      buckets.forEach((count, i) => (series.buckets[i] = count));
    }
    for (const [id, sequence, seenAtMs] of data.observers) {
      state.observers.set(id, { sequence, seenAtMs });
    }
    return state;
  }
}
