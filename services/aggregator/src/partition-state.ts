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

/**
 * What the observers' sequence numbers said, per host: batches that never arrived or came
 * twice, observers that restarted (a new incarnation under a known id), and batches of a run
 * forgotten as silent (a replay of history already counted, not counted again).
 */
export interface SequenceCounts {
  gaps: number;
  duplicates: number;
  restarts: number;
  stale: number;
}

/** Why a record went to the dead-letter topic instead of into the totals. */
export type RejectReason = 'not-single-object' | 'unknown-schema' | 'malformed' | 'invalid';

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
  /** The latest incarnation among the runs forgotten as silent; -1 before any. */
  forgottenThrough: number;
  /** Events counted under the overflow series, past the series limit. */
  overflowEvents: number;
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
  /** Observer id, incarnation, its latest sequence number, the Kafka timestamp of that batch. */
  observers: [string, number, number, number][];
}

/** One run of an observer: its latest sequence number and the Kafka timestamp of that batch. */
interface RunPosition {
  sequence: number;
  seenAtMs: number;
}

/**
 * The most series a partition's state holds by default: 250 hosts with one process each and
 * every kind of event, whose snapshot, with realistic names, takes about 30 KB of the 32,767
 * bytes an offset commit carries. Hosts with sequence counts of their own and observer runs
 * remembered are bounded to a quarter of it. A snapshot that does not fit all the same (long,
 * random names; many restarts) halves these limits until it does (`shrink`).
 */
export const DEFAULT_MAX_SERIES = 1500;
/** Names (observer ids, hosts, process names) longer than this are refused: they would crowd the snapshot. */
const MAX_NAME_LENGTH = 255;
/** The limits go no lower than this many series. */
const MIN_SERIES = 16;
/** Host and process of the series that take the events of new series past the limit. */
export const OVERFLOW = '_overflow';

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
  /** The latest incarnation among the runs forgotten as silent; -1 before any. */
  forgottenThrough = -1;
  /** Events counted under the overflow series because the state held maxSeries series. */
  overflowEvents = 0;
  private readonly series = new Map<string, SeriesTotals>();
  /** Per observer id, per incarnation: where its run is. */
  private readonly observers = new Map<string, Map<number, RunPosition>>();
  /** Per host and process (and pid with withPid): the series by slot, filled as they appear. */
  private readonly slotCache = new Map<string, (SeriesTotals | undefined)[]>();

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
  ) {}

  /** Hosts with sequence counts of their own; past it, new hosts' counts go to `_overflow`. */
  private get maxHosts(): number {
    return Math.ceil(this.maxSeries / 4);
  }

  /** Observer runs remembered; past it, the least recently heard are forgotten. */
  private get maxRuns(): number {
    return Math.ceil(this.maxSeries / 4);
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
    // The overflow entries first, so that what is folded finds them.
    const overflowFirst = <T>([a]: [string, T], [b]: [string, T]): number =>
      Number(b === OVERFLOW) - Number(a === OVERFLOW);
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
    const hosts = [...this.sequences];
    this.sequences.clear();
    for (const [host, counts] of hosts.sort(overflowFirst)) {
      if (host === OVERFLOW || this.sequences.size < this.maxHosts) {
        this.sequences.set(host, counts);
        continue;
      }
      const into = this.sequenceCounts(host);
      into.gaps += counts.gaps;
      into.duplicates += counts.duplicates;
      into.restarts += counts.restarts;
      into.stale += counts.stale;
    }
    this.forgetSilentRuns(Infinity);
    return true;
  }

  allSeries(): IterableIterator<SeriesTotals> {
    return this.series.values();
  }

  /**
   * Counts one decoded batch read at `offset`. Sequence numbers are per run of an observer
   * (its id and incarnation): a batch whose run already passed its sequence number is a
   * duplicate (a replay of events already counted), and a batch of a run older than those
   * forgotten as silent is stale; neither adds anything.
   * @returns false for a duplicate or a stale batch.
   */
  add(batch: DecodedBatch, offset: number, timestampMs: number): boolean {
    this.nextOffset = offset + 1;
    this.records++;
    const counts = this.sequenceCounts(batch.host);
    let runs = this.observers.get(batch.observer_id);
    const last = runs?.get(batch.incarnation);
    if (last === undefined && batch.incarnation <= this.forgottenThrough) {
      counts.stale++;
      return false;
    }
    if (last !== undefined && batch.sequence <= last.sequence) {
      counts.duplicates++;
      return false;
    }
    // A run seen for the first time may have started before the topic's retention or a
    // rebuild's start: only a jump after a known sequence is a gap.
    if (last !== undefined) counts.gaps += batch.sequence - last.sequence - 1;
    if (runs === undefined) {
      runs = new Map();
      this.observers.set(batch.observer_id, runs);
    } else if (last === undefined && batch.incarnation > Math.max(...runs.keys())) {
      counts.restarts++;
    }
    runs.set(batch.incarnation, { sequence: batch.sequence, seenAtMs: timestampMs });
    this.countEvents(batch);
    return true;
  }

  /**
   * Forgets the runs not heard from for `ttlMs` before the newest batch (by Kafka timestamps),
   * and past maxRuns the least recently heard, so the state stays small; a later batch of a
   * run forgotten is then stale, not counted twice.
   */
  forgetSilentRuns(ttlMs: number): void {
    const runs = [...this.observers].flatMap(([id, byIncarnation]) =>
      [...byIncarnation].map(([incarnation, { seenAtMs }]) => ({ id, incarnation, seenAtMs })),
    );
    const newest = runs.reduce((max, run) => Math.max(max, run.seenAtMs), 0);
    runs.sort((a, b) => a.seenAtMs - b.seenAtMs);
    runs.forEach((run, index) => {
      if (newest - run.seenAtMs <= ttlMs && runs.length - index <= this.maxRuns) return;
      const byIncarnation = this.observers.get(run.id);
      byIncarnation?.delete(run.incarnation);
      if (byIncarnation?.size === 0) this.observers.delete(run.id);
      this.forgottenThrough = Math.max(this.forgottenThrough, run.incarnation);
    });
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
      if (series.host === OVERFLOW) this.overflowEvents++;
    }
    this.events += batch.events.length;
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

  private seriesFor(attributes: SeriesAttributes): SeriesTotals {
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

  private sequenceCounts(host: string): SequenceCounts {
    let counts = this.sequences.get(host);
    if (counts === undefined && this.sequences.size >= this.maxHosts && host !== OVERFLOW) {
      return this.sequenceCounts(OVERFLOW);
    }
    if (counts === undefined) {
      counts = { gaps: 0, duplicates: 0, restarts: 0, stale: 0 };
      this.sequences.set(host, counts);
    }
    return counts;
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
      sequences: Object.fromEntries(this.sequences),
      forgottenThrough: this.forgottenThrough,
      overflowEvents: this.overflowEvents,
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
      observers: [...this.observers].flatMap(([id, runs]) =>
        [...runs].map(([incarnation, { sequence, seenAtMs }]): [string, number, number, number] => [
          id,
          incarnation,
          sequence,
          seenAtMs,
        ]),
      ),
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
    for (const [host, counts] of Object.entries(data.sequences)) {
      state.sequences.set(host, { ...counts });
    }
    state.forgottenThrough = data.forgottenThrough;
    state.overflowEvents = data.overflowEvents;
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
    for (const [id, incarnation, sequence, seenAtMs] of data.observers) {
      let runs = state.observers.get(id);
      if (runs === undefined) {
        runs = new Map();
        state.observers.set(id, runs);
      }
      runs.set(incarnation, { sequence, seenAtMs });
    }
    return state;
  }
}
