import {
  checkFraming,
  decodeBatch,
  SINGLE_OBJECT_HEADER_SIZE,
  type DecodedBatch,
  type ProcessName,
} from './avro.js';
import { EVENT_KIND_COUNT, EventKind } from './event.js';

/**
 * A batch with its events as columns, one array per field, index i for the i-th event: what
 * the aggregator counts, without an object per event. The header fields keep avsc's names.
 */
export interface BatchColumns {
  readonly observer_id: string;
  readonly host: string;
  readonly sequence: number;
  readonly incarnation: number;
  readonly processes: readonly ProcessName[];
  readonly length: number;
  readonly timestampNs: Float64Array;
  readonly bytes: Float64Array;
  readonly pid: Float64Array;
  readonly tid: Float64Array;
  readonly fd: Float64Array;
  /** The EventKind symbol's index in the schema, which is the C value; -1 for none (avsc's undefined). */
  readonly kind: Float64Array;
  readonly flags: Float64Array;
}

const FIELDS = ['timestampNs', 'bytes', 'pid', 'tid', 'fd', 'kind', 'flags'] as const;
type Column = (typeof FIELDS)[number];

/** The schema's EventKind symbols are EventKind's keys (lib/events's layout test checks them). */
const KIND_INDEX: Readonly<Record<string, number>> = { UNSPECIFIED: 0, ...EventKind };

/** avsc's decoding as columns: for the records the BatchReader leaves to avsc, and for tests. */
export function columnsOf(batch: DecodedBatch): BatchColumns {
  const { length } = batch.events;
  const columns = Object.fromEntries(
    FIELDS.map((field) => [field, new Float64Array(length)]),
  ) as Record<Column, Float64Array>;
  batch.events.forEach((event, i) => {
    columns.timestampNs[i] = event.timestamp_ns;
    columns.bytes[i] = event.bytes;
    columns.pid[i] = event.pid;
    columns.tid[i] = event.tid;
    columns.fd[i] = event.fd;
    columns.kind[i] = KIND_INDEX[event.kind] ?? -1;
    columns.flags[i] = event.flags;
  });
  const { observer_id, host, sequence, incarnation } = batch;
  // Plain objects, as the reader makes them, not avsc's record instances.
  const processes = batch.processes.map(({ pid, name }) => ({ pid, name }));
  return { observer_id, host, sequence, incarnation, processes, length, ...columns };
}

const EMPTY = Buffer.alloc(0);

/** Thrown inside the reader at anything it leaves to avsc; never leaves it. */
const UNUSUAL = new Error('left to avsc');

/** Past this many bytes a varint may not be a safe integer: avsc reads it. */
const MAX_FAST_VARINT = 8;

/**
 * Reads record values into columns straight from the bytes, as avsc would decode them (a
 * unit test and the fuzz target `aggregator-record` check that it gives what columnsOf gives
 * from avsc's decoding, or the same FramingError). It reads the well-formed batch the
 * observer writes; anything else (a number past 2^53, a negative block count, an enum index
 * out of range, a truncated or overlong record) it hands to avsc whole, which decides.
 * The columns it returns are views of arrays it reuses: valid until the next read.
 */
export class BatchReader {
  private buffer: Buffer = EMPTY;
  private position = 0;
  private capacity = 0;
  private arrays = {} as Record<Column, Float64Array>;

  constructor() {
    this.grow(1024);
  }

  read(value: Buffer): BatchColumns {
    checkFraming(value);
    this.buffer = value;
    this.position = SINGLE_OBJECT_HEADER_SIZE;
    try {
      return this.readBatch();
    } catch (err) {
      if (err !== UNUSUAL) throw err;
      return columnsOf(decodeBatch(value));
    } finally {
      this.buffer = EMPTY;
    }
  }

  private readBatch(): BatchColumns {
    const observer_id = this.string();
    const host = this.string();
    const sequence = this.long();
    const incarnation = this.long();
    const length = this.events();
    const processes: ProcessName[] = [];
    for (let count = this.blockCount(); count !== 0; count = this.blockCount()) {
      for (let i = 0; i < count; i++) processes.push({ pid: this.long(), name: this.string() });
    }
    if (this.position !== this.buffer.length) throw UNUSUAL;
    const views = Object.fromEntries(
      FIELDS.map((field) => [field, this.arrays[field].subarray(0, length)]),
    ) as Record<Column, Float64Array>;
    return { observer_id, host, sequence, incarnation, processes, length, ...views };
  }

  /**
   * The events array, into the columns; returns how many. The aggregator's hot loop: every
   * field but the timestamp is mostly of up to three bytes (a socket write's flags take
   * three), read by short().
   */
  private events(): number {
    let length = 0;
    for (let count = this.blockCount(); count !== 0; count = this.blockCount()) {
      if (length + count > this.capacity) this.grow(length + count);
      const { timestampNs, bytes, pid, tid, fd, kind, flags } = this.arrays;
      for (let end = length + count; length < end; length++) {
        timestampNs[length] = this.long();
        bytes[length] = this.short();
        pid[length] = this.short();
        tid[length] = this.short();
        fd[length] = this.short();
        const index = this.short();
        if (index < 0 || index >= EVENT_KIND_COUNT) throw UNUSUAL;
        kind[length] = index;
        flags[length] = this.short();
      }
    }
    return length;
  }

  /** long(), with a value of up to three bytes read in place: small enough to be inlined. */
  private short(): number {
    const buffer = this.buffer;
    const position = this.position;
    // Past the end a byte reads as undefined: no comparison holds, and long() decides.
    const first = buffer[position] as number;
    if (first < 0x80) {
      this.position = position + 1;
      return (first >>> 1) ^ -(first & 1);
    }
    const second = buffer[position + 1] as number;
    let zigzag = (first & 0x7f) | ((second & 0x7f) << 7);
    if (second < 0x80) {
      this.position = position + 2;
    } else {
      const third = buffer[position + 2] as number;
      if (!(third < 0x80)) return this.long();
      zigzag |= third << 14;
      this.position = position + 3;
    }
    return (zigzag >>> 1) ^ -(zigzag & 1);
  }

  /** An array block's item count: 0 ends the array; a count its bytes cannot hold is avsc's. */
  private blockCount(): number {
    const count = this.long();
    if (count < 0 || count > this.buffer.length - this.position) throw UNUSUAL;
    return count;
  }

  /**
   * A zigzag varint (Avro's int and long alike, as avsc reads both). Up to 4 bytes (28 bits)
   * in 32-bit integer operations, the common case; up to MAX_FAST_VARINT bytes as two such
   * halves joined in a double at the end (a timestamp in ns takes 7).
   */
  private long(): number {
    const buffer = this.buffer;
    const end = buffer.length;
    let position = this.position;
    let byte = 0x80;
    let low = 0;
    for (let shift = 0; shift < 28 && byte >= 0x80; shift += 7) {
      if (position >= end) throw UNUSUAL;
      byte = buffer[position++] as number;
      low |= (byte & 0x7f) << shift;
    }
    if (byte < 0x80) {
      this.position = position;
      return (low >>> 1) ^ -(low & 1);
    }
    let high = 0;
    for (let shift = 0; byte >= 0x80; shift += 7) {
      if (position >= end || position - this.position >= MAX_FAST_VARINT) throw UNUSUAL;
      byte = buffer[position++] as number;
      high |= (byte & 0x7f) << shift;
    }
    this.position = position;
    const value = low + high * 2 ** 28;
    if (value > Number.MAX_SAFE_INTEGER) throw UNUSUAL;
    // The value's lowest bit is the first byte's: the sign.
    return (low & 1) === 0 ? value / 2 : -(value + 1) / 2;
  }

  private string(): string {
    const length = this.long();
    const start = this.position;
    if (length < 0 || start + length > this.buffer.length) throw UNUSUAL;
    this.position = start + length;
    return this.buffer.toString('utf8', start, start + length);
  }

  private grow(events: number): void {
    const capacity = Math.max(events, this.capacity * 2);
    const arrays = Object.fromEntries(
      FIELDS.map((field) => {
        const larger = new Float64Array(capacity);
        if (this.capacity > 0) larger.set(this.arrays[field]);
        return [field, larger];
      }),
    ) as Record<Column, Float64Array>;
    this.arrays = arrays;
    this.capacity = capacity;
  }
}
