import { EVENT_KIND_COUNT, SIZE_BOUNDS } from '@obscost/events';
import type { EventTotals } from './counters.js';
import { callFailure, libbpf } from './libbpf.js';

/** One kind's totals: events, bytes, and events per size bucket (SIZE_BOUNDS, then +Inf). */
export interface KindTotals {
  events: number;
  bytes: number;
  sizes: number[];
}

/** Count mode's totals: the counters' and, per kind, the size histogram's. */
export interface KernelTotals extends EventTotals {
  totalsOf(kind: number, socket?: boolean): KindTotals;
}

/* struct event_counts in bpf/observer.h: u64 events, u64 bytes, u64 sizes[bounds + 1]. */
const VALUE_WORDS = 2 + SIZE_BOUNDS.length + 1;
export const COUNTS_VALUE_SIZE = 8 * VALUE_WORDS;

const emptyTotals = (): KindTotals => ({
  events: 0,
  bytes: 0,
  sizes: new Array<number>(SIZE_BOUNDS.length + 1).fill(0),
});

/** Adds each CPU's struct event_counts in `values` (a per-CPU lookup's result) to `into`. */
export function addPerCpu(
  values: Buffer,
  cpus: number,
  into: KindTotals = emptyTotals(),
): KindTotals {
  for (let cpu = 0; cpu < cpus; cpu++) {
    const word = (i: number): number => Number(values.readBigUInt64LE((cpu * VALUE_WORDS + i) * 8));
    into.events += word(0);
    into.bytes += word(1);
    into.sizes.forEach((count, bucket) => (into.sizes[bucket] = count + word(2 + bucket)));
  }
  return into;
}

/**
 * --mode count's totals, read from the kernel's per-CPU `counts` map at each call (the
 * observer reads them at each scrape): keyed as EventCounters is, kind * 2 + socket.
 */
export class KernelCounts implements KernelTotals {
  private readonly cpus = libbpf.possibleCpus();
  /** The last totals read, by key, once the map is about to close: read from here after. */
  private final: KindTotals[] | undefined;

  constructor(private readonly mapFd: number) {}

  /** Reads every total one last time, before the map closes: the last line and scrapes use them. */
  freeze(): void {
    this.final = Array.from({ length: EVENT_KIND_COUNT * 2 }, (_, key) => this.read(key));
  }

  eventsOf(kind: number, socket?: boolean): number {
    return this.totalsOf(kind, socket).events;
  }

  bytesOf(kind: number, socket?: boolean): number {
    return this.totalsOf(kind, socket).bytes;
  }

  /** The kind's totals; for writes, those on sockets or not, or (undefined) both. */
  totalsOf(kind: number, socket?: boolean): KindTotals {
    const keys = socket === undefined ? [kind * 2, kind * 2 + 1] : [kind * 2 + (socket ? 1 : 0)];
    return keys
      .map((key) => this.final?.[key] ?? this.read(key))
      .reduce((sum, totals) => ({
        events: sum.events + totals.events,
        bytes: sum.bytes + totals.bytes,
        sizes: sum.sizes.map((count, bucket) => count + (totals.sizes[bucket] ?? 0)),
      }));
  }

  private read(key: number): KindTotals {
    const keyBuffer = Buffer.alloc(4);
    keyBuffer.writeUInt32LE(key);
    const values = Buffer.alloc(COUNTS_VALUE_SIZE * this.cpus);
    if (libbpf.mapLookup(this.mapFd, keyBuffer, values) !== 0) {
      throw callFailure("cannot read the kernel's counts");
    }
    return addPerCpu(values, this.cpus);
  }
}
