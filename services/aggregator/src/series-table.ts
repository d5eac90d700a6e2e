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
   * The hot loop: a batch's events into their series, each found once per pid, a bucket
   * found by comparisons. @returns how many were of a kind this aggregator does not know.
   */
  count(batch: BatchColumns): number {
    const names = new Map<number, string>();
    for (const { pid, name } of batch.processes) names.set(pid, name);
    const { pid: pids, kind: kinds, flags, bytes: sizes } = batch;
    let unknownKind = 0;
    let lastPid = NaN;
    let slots: (SeriesTotals | undefined)[] = [];
    let process = '';
    for (let i = 0; i < batch.length; i++) {
      const pid = pids[i] as number;
      if (pid !== lastPid) {
        lastPid = pid;
        process = names.get(pid) ?? 'unknown';
        slots = this.slotsFor(batch.host, process, pid);
      }
      const kindSlot = KIND_SLOT[kinds[i] as number];
      if (kindSlot === undefined) {
        unknownKind++;
        continue;
      }
      const slot =
        kindSlot < WRITE_SLOTS && ((flags[i] as number) & EVENT_FLAG_SOCKET) === 0
          ? kindSlot + 1
          : kindSlot;
      let series = slots[slot];
      if (series === undefined) {
        series = this.seriesFor({
          ...(SLOTS[slot] as (typeof SLOTS)[number]),
          host: batch.host,
          process,
          pid: this.withPid ? String(pid) : undefined,
        });
        slots[slot] = series;
      }
      const bytes = sizes[i] as number;
      series.events++;
      series.bytes += bytes;
      (series.buckets[sizeBucket(bytes)] as number)++;
      if (series.host === OVERFLOW) this.overflowEvents++;
    }
    return unknownKind;
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
