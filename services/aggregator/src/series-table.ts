import {
  EVENT_FLAG_SOCKET,
  EventKind,
  KIND_NAMES,
  SIZE_BOUNDS,
  sizeBucket,
  type BatchColumns,
  type EventFamily,
} from '@obscost/events';
import { OVERFLOW, overflowFirst } from './state-limits.js';

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

export type SeriesAttributes = Omit<SeriesTotals, 'events' | 'bytes' | 'buckets'>;

function seriesKey({ family, host, process, pid, syscall, fd }: SeriesAttributes): string {
  return [family, host, process, pid, syscall, fd].join('\0');
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
/** The size buckets: one per SIZE_BOUNDS bound, and the unbounded last one. */
const BUCKETS = SIZE_BOUNDS.length + 1;
/** Slots below this are writes, whose `other` series is the slot after the `socket` one. */
const WRITE_SLOTS = 4;
const FIRST_SLOT: Record<EventKind, number> = {
  [EventKind.WRITE]: 0,
  [EventKind.WRITEV]: 2,
  [EventKind.TCP_SEND]: 4,
  [EventKind.UPROBE]: 5,
};
/** A kind's first slot, by its EventKind value (the columns' kind); undefined for an unknown kind. */
const KIND_SLOT: readonly (number | undefined)[] = (() => {
  const slots: (number | undefined)[] = [];
  for (const kind of Object.values(EventKind)) slots[kind] = FIRST_SLOT[kind];
  return slots;
})();

/**
 * A partition's series and their totals, bounded: past `maxSeries` series, the events of a new
 * series are counted under an overflow series of their kind (host and process `_overflow`).
 */
export class SeriesTable {
  /** Events counted under the overflow series because the table held maxSeries series. */
  overflowEvents = 0;
  private readonly series = new Map<string, SeriesTotals>();
  /** Per host and process (and pid with withPid): the series by slot, filled as they appear. */
  private readonly slotCache = new Map<string, (SeriesTotals | undefined)[]>();
  /** One pid's run of events, per slot: counts, bytes, counts per size bucket; slots by first sight. */
  private readonly tally = {
    events: new Float64Array(SLOTS.length),
    bytes: new Float64Array(SLOTS.length),
    buckets: new Float64Array(SLOTS.length * BUCKETS),
    order: [] as number[],
  };

  /**
   * @param withPid whether the pid is an attribute of the series (more series: one per pid
   *   instead of one per process name).
   */
  constructor(
    private readonly withPid: boolean,
    private maxSeries: number,
  ) {}

  all(): IterableIterator<SeriesTotals> {
    return this.series.values();
  }

  /**
   * The hot loop: a batch's events tallied per run of one pid (its kinds' slots and size
   * buckets, in typed arrays), each run then added to its series in the order its slots
   * first appeared, so series are made in event order, as one event at a time would.
   * @returns how many were of a kind this aggregator does not know.
   */
  count(batch: BatchColumns): number {
    const names = new Map<number, string>();
    for (const { pid, name } of batch.processes) names.set(pid, name);
    const { pid: pids, kind: kinds, flags, bytes: sizes, length } = batch;
    const { events, bytes, buckets, order } = this.tally;
    let unknownKind = 0;
    let end = 0;
    while (end < length) {
      const pid = pids[end] as number;
      for (; end < length && pids[end] === pid; end++) {
        const kindSlot = KIND_SLOT[kinds[end] as number];
        if (kindSlot === undefined) {
          unknownKind++;
          continue;
        }
        const slot =
          kindSlot < WRITE_SLOTS && ((flags[end] as number) & EVENT_FLAG_SOCKET) === 0
            ? kindSlot + 1
            : kindSlot;
        const size = sizes[end] as number;
        if (events[slot] === 0) order.push(slot);
        (events[slot] as number)++;
        (bytes[slot] as number) += size;
        (buckets[slot * BUCKETS + sizeBucket(size)] as number)++;
      }
      this.addTally(batch.host, names.get(pid) ?? 'unknown', pid);
    }
    return unknownKind;
  }

  /** The tally of one pid's run into its series, and the tally cleared. */
  private addTally(host: string, process: string, pid: number): void {
    const { events, bytes, buckets, order } = this.tally;
    const slots = this.slotsFor(host, process, pid);
    for (const slot of order) {
      let series = slots[slot];
      if (series === undefined) {
        series = this.seriesFor({
          ...(SLOTS[slot] as (typeof SLOTS)[number]),
          host,
          process,
          pid: this.withPid ? String(pid) : undefined,
        });
        slots[slot] = series;
      }
      const counted = events[slot] as number;
      series.events += counted;
      series.bytes += bytes[slot] as number;
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        (series.buckets[bucket] as number) += buckets[slot * BUCKETS + bucket] as number;
      }
      if (series.host === OVERFLOW) this.overflowEvents += counted;
    }
    events.fill(0);
    bytes.fill(0);
    buckets.fill(0);
    order.length = 0;
  }

  /** Lowers the limit to `maxSeries`, the series past it folded into their overflow series. */
  shrink(maxSeries: number): void {
    this.maxSeries = maxSeries;
    const series = [...this.series.values()].map(
      (totals) => [totals.host, totals] as [string, SeriesTotals],
    );
    this.series.clear();
    this.slotCache.clear();
    for (const [host, totals] of series.sort(overflowFirst)) {
      if (host === OVERFLOW || this.series.size < this.maxSeries) {
        this.series.set(seriesKey(totals), totals);
        continue;
      }
      const into = this.seriesFor(totals);
      into.events += totals.events;
      into.bytes += totals.bytes;
      totals.buckets.forEach((count, i) => ((into.buckets[i] as number) += count));
      this.overflowEvents += totals.events;
    }
  }

  /** The series of these attributes, made if new: the overflow one of its kind past the limit. */
  seriesFor(attributes: SeriesAttributes): SeriesTotals {
    const key = seriesKey(attributes);
    const { host } = attributes;
    let series = this.series.get(key);
    if (series === undefined && this.series.size >= this.maxSeries && host !== OVERFLOW) {
      const overflow = this.withPid ? OVERFLOW : undefined;
      return this.seriesFor({ ...attributes, host: OVERFLOW, process: OVERFLOW, pid: overflow });
    }
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

  private slotsFor(host: string, process: string, pid: number): (SeriesTotals | undefined)[] {
    const key = this.withPid ? `${host}\0${process}\0${pid}` : `${host}\0${process}`;
    let slots = this.slotCache.get(key);
    if (slots === undefined) {
      slots = new Array<SeriesTotals | undefined>(SLOTS.length).fill(undefined);
      // Past the limit every new key's slots lead to the overflow series: not worth keeping.
      if (this.series.size < this.maxSeries) this.slotCache.set(key, slots);
    }
    return slots;
  }
}
