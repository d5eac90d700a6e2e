import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DecodedBatch } from '@obscost/events';

/**
 * Upper bounds of the size histograms' buckets, in bytes (powers of 4, then +Inf): response
 * writes from 64 B to 1 MiB fall in distinct buckets.
 */
export const SIZE_BOUNDS = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576] as const;

/** The seed's metric families: each event kind counts into one of them. */
export type Family = 'write' | 'tcp_send' | 'uprobe';

/** One exported series: its attributes, and its counts so far. */
export interface SeriesTotals {
  readonly family: Family;
  readonly host: string;
  readonly process: string;
  /** Only with --pid-attribute: the process id as text. */
  readonly pid: string | undefined;
  /** write and writev share app_write_*; this tells them apart, like the observer's label. */
  readonly syscall: 'write' | 'writev' | undefined;
  /** For writes: `socket` when the fd was a socket, else `other`. */
  readonly fd: 'socket' | 'other' | undefined;
  events: number;
  bytes: number;
  /** Events per SIZE_BOUNDS bucket, the last one unbounded. */
  readonly buckets: number[];
}

/** What the observers' sequence numbers said: per host, batches that never arrived or came twice. */
export interface SequenceCounts {
  gaps: number;
  duplicates: number;
}

interface ObserverPosition {
  sequence: number;
  /** The Kafka timestamp of its latest batch: observers long silent are forgotten. */
  seenAtMs: number;
}

/** Why a record went to the dead-letter topic instead of into the totals. */
export type RejectReason = 'not-single-object' | 'unknown-schema' | 'malformed';

const SLOT_COUNT = 6;
/** The avsc enum symbol → the slot of its series among a pid's series. */
const KIND_SLOT: Record<string, number> = { WRITE: 0, WRITEV: 2, TCP_SEND: 4, UPROBE: 5 };
const SOCKET_FLAG = 1;

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
  private readonly observers = new Map<string, ObserverPosition>();

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
    for (const event of batch.events) {
      if (event.pid !== lastPid) {
        lastPid = event.pid;
        slots = this.slotsFor(batch.host, names.get(event.pid) ?? 'unknown', event.pid);
      }
      const kindSlot = KIND_SLOT[event.kind];
      if (kindSlot === undefined) {
        this.unknownKindEvents++;
        continue;
      }
      const slot = kindSlot < 4 && (event.flags & SOCKET_FLAG) === 0 ? kindSlot + 1 : kindSlot;
      const series = slots[slot] ?? this.createSeries(batch.host, names, event.pid, slot, slots);
      series.events++;
      series.bytes += event.bytes;
      const size = event.bytes;
      let bucket = 0;
      while (bucket < SIZE_BOUNDS.length && size > (SIZE_BOUNDS[bucket] as number)) bucket++;
      (series.buckets[bucket] as number)++;
    }
    this.events += batch.events.length;
  }

  /** A pid's series, by slot: write on socket/other, writev on socket/other, TCP send, uprobe. */
  private readonly slotCache = new Map<string, (SeriesTotals | undefined)[]>();

  private slotsFor(host: string, process: string, pid: number): (SeriesTotals | undefined)[] {
    const key = this.withPid ? `${host}\0${process}\0${pid}` : `${host}\0${process}`;
    let slots = this.slotCache.get(key);
    if (slots === undefined) {
      slots = new Array<SeriesTotals | undefined>(SLOT_COUNT).fill(undefined);
      this.slotCache.set(key, slots);
    }
    return slots;
  }

  private createSeries(
    host: string,
    names: Map<number, string>,
    pid: number,
    slot: number,
    slots: (SeriesTotals | undefined)[],
  ): SeriesTotals {
    const series = this.seriesFor({
      family: slot < 4 ? 'write' : slot === 4 ? 'tcp_send' : 'uprobe',
      host,
      process: names.get(pid) ?? 'unknown',
      pid: this.withPid ? String(pid) : undefined,
      syscall: slot < 2 ? 'write' : slot < 4 ? 'writev' : undefined,
      fd: slot < 4 ? (slot % 2 === 0 ? 'socket' : 'other') : undefined,
    });
    slots[slot] = series;
    return series;
  }

  private seriesFor(attributes: Omit<SeriesTotals, 'events' | 'bytes' | 'buckets'>): SeriesTotals {
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
    return PartitionState.fromObject(this.toObject(Infinity), this.withPid);
  }

  /**
   * The state as offset metadata: JSON, deflated, base64. Observers not heard from for
   * `observerTtlMs` before the newest batch are forgotten, so the state stays small.
   */
  toSnapshot(observerTtlMs = Infinity): string {
    return deflateRawSync(JSON.stringify(this.toObject(observerTtlMs))).toString('base64');
  }

  /** Reads what toSnapshot wrote; throws on anything else. */
  static fromSnapshot(text: string, withPid: boolean): PartitionState {
    const snapshot = JSON.parse(
      inflateRawSync(Buffer.from(text, 'base64')).toString('utf8'),
    ) as Snapshot;
    if ((snapshot.version as number) !== 1) {
      throw new Error(`unknown snapshot version ${String(snapshot.version)}`);
    }
    return PartitionState.fromObject(snapshot, withPid);
  }

  /** Plain data, sharing nothing mutable with this state once fromObject has read it. */
  private toObject(observerTtlMs: number): Snapshot {
    let newest = 0;
    for (const { seenAtMs } of this.observers.values()) newest = Math.max(newest, seenAtMs);
    return {
      version: 1,
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
      observers: [...this.observers]
        .filter(([, { seenAtMs }]) => newest - seenAtMs <= observerTtlMs)
        .map(([id, { sequence, seenAtMs }]) => [id, sequence, seenAtMs]),
    };
  }

  private static fromObject(snapshot: Snapshot, withPid: boolean): PartitionState {
    const state = new PartitionState(withPid);
    state.nextOffset = snapshot.nextOffset;
    state.records = snapshot.records;
    state.events = snapshot.events;
    state.unknownKindEvents = snapshot.unknownKindEvents;
    for (const [reason, count] of Object.entries(snapshot.rejected)) {
      state.rejected.set(reason as RejectReason, count);
    }
    for (const [host, counts] of Object.entries(snapshot.sequences)) {
      state.sequences.set(host, { ...counts });
    }
    for (const [
      family,
      host,
      process,
      pid,
      syscall,
      fd,
      events,
      bytes,
      buckets,
    ] of snapshot.series) {
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
    for (const [id, sequence, seenAtMs] of snapshot.observers) {
      state.observers.set(id, { sequence, seenAtMs });
    }
    return state;
  }
}

interface Snapshot {
  version: 1;
  nextOffset: number;
  records: number;
  events: number;
  unknownKindEvents: number;
  rejected: Record<string, number>;
  sequences: Record<string, SequenceCounts>;
  series: [
    Family,
    string,
    string,
    string | null,
    SeriesTotals['syscall'] | null,
    SeriesTotals['fd'] | null,
    number,
    number,
    number[],
  ][];
  observers: [string, number, number][];
}
