import { EVENT_KIND_COUNT } from '@obscost/events';

export type DecodeError = 'size' | 'kind';

/** Events and bytes by kind (and for writes, by whether the fd was a socket), whoever counted them. */
export interface EventTotals {
  eventsOf(kind: number, socket?: boolean): number;
  bytesOf(kind: number, socket?: boolean): number;
}

/**
 * What the observer saw, counted from raw records in place: events and bytes by kind,
 * and for writes whether the fd was a socket. A record that cannot be an event is counted
 * as a decode error and skipped.
 */
export class EventCounters implements EventTotals {
  /** Indexed by kind * 2 + (socket ? 1 : 0). */
  readonly events = new Float64Array(EVENT_KIND_COUNT * 2);
  readonly bytes = new Float64Array(EVENT_KIND_COUNT * 2);
  readonly decodeErrors: Record<DecodeError, number> = { size: 0, kind: 0 };

  /** Counts one record; returns whether it was an event (and so is worth forwarding). */
  readonly visit: (words: Uint32Array, offset: number, length: number) => boolean;

  constructor() {
    // The visitor runs once per event. It works on locals rather than on properties of
    // `this`, and on number literals rather than the named constants of event.ts: V8
    // folds literals into the compiled loop but loads a module binding every time
    // (measured: the drain 25% faster). test/fake-ring.ts encodes the tests' events with
    // EVENT_LAYOUT, so the literals cannot drift from it unnoticed.
    const { events, bytes, decodeErrors } = this;
    this.visit = (words, offset, length) => {
      if (length !== 32 /* EVENT_SIZE */) {
        decodeErrors.size++;
        return false;
      }
      const base = offset >>> 2;
      // Word 7 holds kind (low half) and flags (high half), little-endian.
      const kindAndFlags = words[base + 7] ?? 0;
      const kind = kindAndFlags & 0xffff;
      if (kind === 0 || kind >= 5 /* EVENT_KIND_COUNT */) {
        decodeErrors.kind++;
        return false;
      }
      const index = kind * 2 + ((kindAndFlags >>> 16) & 1); /* EVENT_FLAG_SOCKET */
      events[index] = (events[index] ?? 0) + 1;
      // bytes: words 2 (low) and 3 (high); two halves are cheaper than a BigInt, exact below 2^53.
      bytes[index] =
        (bytes[index] ?? 0) + (words[base + 3] ?? 0) * 0x100000000 + (words[base + 2] ?? 0);
      return true;
    };
  }

  eventsOf(kind: number, socket?: boolean): number {
    return this.sum(this.events, kind, socket);
  }

  bytesOf(kind: number, socket?: boolean): number {
    return this.sum(this.bytes, kind, socket);
  }

  private sum(values: Float64Array, kind: number, socket: boolean | undefined): number {
    const other = values[kind * 2] ?? 0;
    const sockets = values[kind * 2 + 1] ?? 0;
    return socket === undefined ? other + sockets : socket ? sockets : other;
  }
}
