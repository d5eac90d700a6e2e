import { EVENT_FLAG_SOCKET, EVENT_KIND_COUNT, EVENT_LAYOUT, EVENT_SIZE } from './event.js';
import type { RecordVisitor } from './ring-buffer.js';

export type DecodeError = 'size' | 'kind';

/**
 * What the observer saw, counted from raw records in place: events and bytes by kind,
 * and for writes whether the fd was a socket. A record that cannot be an event is counted
 * as a decode error and skipped.
 */
export class EventCounters {
  /** Indexed by kind * 2 + (socket ? 1 : 0). */
  readonly events = new Float64Array(EVENT_KIND_COUNT * 2);
  readonly bytes = new Float64Array(EVENT_KIND_COUNT * 2);
  readonly decodeErrors: Record<DecodeError, number> = { size: 0, kind: 0 };

  readonly visit: RecordVisitor = (data, offset, length) => {
    if (length !== EVENT_SIZE) {
      this.decodeErrors.size++;
      return;
    }
    const kind = data.getUint16(offset + EVENT_LAYOUT.kind.offset, true);
    if (kind === 0 || kind >= EVENT_KIND_COUNT) {
      this.decodeErrors.kind++;
      return;
    }
    const socket = data.getUint16(offset + EVENT_LAYOUT.flags.offset, true) & EVENT_FLAG_SOCKET;
    const index = kind * 2 + socket;
    this.events[index] = (this.events[index] ?? 0) + 1;
    // Two 32-bit halves: cheaper than a BigInt, exact below 2^53.
    const low = data.getUint32(offset + EVENT_LAYOUT.bytes.offset, true);
    const high = data.getUint32(offset + EVENT_LAYOUT.bytes.offset + 4, true);
    this.bytes[index] = (this.bytes[index] ?? 0) + high * 0x100000000 + low;
  };

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
