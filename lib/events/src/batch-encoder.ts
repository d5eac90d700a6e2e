import {
  BATCH_FINGERPRINT,
  SINGLE_OBJECT_HEADER_SIZE,
  SINGLE_OBJECT_MAGIC,
  type ProcessName,
} from './avro.js';

/** The longest varint: a 64-bit value takes at most 10 bytes. */
const MAX_VARINT = 10;
/** An encoded event takes at most 5 longs and ints of 10 bytes and 2 ints of 5. */
export const MAX_ENCODED_EVENT = 5 * MAX_VARINT + 2 * 5;

/**
 * Encodes one batch (an Avro EventBatch in single-object encoding) straight from the ring
 * buffer's words into the buffer that becomes the Kafka record: each event is read in
 * place and written once. The header and the array's item count go in front of the
 * events when the batch closes, into room left for them, so closing copies no event; each
 * batch gets a buffer of its own, which the record keeps while it is buffered and sent.
 */
export class BatchEncoder {
  private buffer: Buffer;
  private readonly headerRoom: number;
  private position: number;
  private count = 0;

  /**
   * @param observerId, host and incarnation (ms since the epoch) are written into every batch.
   * @param maxBytes a batch is full once its events take this many bytes.
   */
  constructor(
    private readonly observerId: string,
    private readonly host: string,
    private readonly incarnation: number,
    readonly maxBytes: number,
  ) {
    this.headerRoom =
      SINGLE_OBJECT_HEADER_SIZE +
      2 * MAX_VARINT +
      Buffer.byteLength(observerId) +
      Buffer.byteLength(host) +
      3 * MAX_VARINT;
    this.buffer = this.newBuffer();
    this.position = this.headerRoom;
  }

  get events(): number {
    return this.count;
  }

  get full(): boolean {
    return this.position - this.headerRoom >= this.maxBytes;
  }

  /**
   * Appends struct event from `words` (the ring buffer as 32-bit little-endian words) at
   * word index `base`. Offsets are literals, as in the observer's counters: see
   * services/observer/src/counters.ts.
   */
  append(words: Uint32Array, base: number): void {
    this.long(words[base + 1] ?? 0, words[base] ?? 0); // timestamp_ns
    this.long(words[base + 3] ?? 0, words[base + 2] ?? 0); // bytes
    this.int(words[base + 4] ?? 0); // pid
    this.int(words[base + 5] ?? 0); // tid
    this.int(words[base + 6] ?? 0); // fd
    const kindAndFlags = words[base + 7] ?? 0;
    this.int(kindAndFlags & 0xffff); // kind: the enum symbol's index
    this.int(kindAndFlags >>> 16); // flags
    this.count++;
  }

  /**
   * Closes the batch with its sequence number and the names of the pids its events may
   * carry; returns the record value and starts anew.
   */
  close(sequence: number, processes: readonly ProcessName[] = []): Buffer {
    this.buffer[this.position++] = 0; // the events array's end
    this.writeProcesses(processes);
    const end = this.position;
    const head = Buffer.allocUnsafe(this.headerRoom);
    let length = 0;
    length += SINGLE_OBJECT_MAGIC.copy(head, length);
    length += BATCH_FINGERPRINT.copy(head, length);
    length = writeString(head, length, this.observerId);
    length = writeString(head, length, this.host);
    length = writeVarint(head, length, 0, sequence * 2); // zigzag of a non-negative long
    const incarnation = this.incarnation * 2; // zigzag again, past 32 bits
    length = writeVarint(head, length, Math.floor(incarnation / 2 ** 32), incarnation >>> 0);
    if (this.count > 0) length = writeVarint(head, length, 0, this.count * 2);
    const start = this.headerRoom - length;
    head.copy(this.buffer, start, 0, length);
    const record = this.buffer.subarray(start, end);
    this.buffer = this.newBuffer();
    this.position = this.headerRoom;
    this.count = 0;
    return record;
  }

  /** The trailing processes array: after the events, so no room is reserved for it. */
  private writeProcesses(processes: readonly ProcessName[]): void {
    let size = 2 * MAX_VARINT;
    for (const { name } of processes) size += 5 + MAX_VARINT + Buffer.byteLength(name);
    if (this.position + size > this.buffer.length) {
      const larger = Buffer.allocUnsafe(this.position + size);
      this.buffer.copy(larger, 0, 0, this.position);
      this.buffer = larger;
    }
    if (processes.length > 0) {
      this.position = writeVarint(this.buffer, this.position, 0, processes.length * 2);
      for (const { pid, name } of processes) {
        this.int(pid);
        this.position = writeString(this.buffer, this.position, name);
      }
    }
    this.buffer[this.position++] = 0; // the processes array's end
  }

  private newBuffer(): Buffer {
    return Buffer.allocUnsafe(this.headerRoom + this.maxBytes + MAX_ENCODED_EVENT + 1);
  }

  private long(high: number, low: number): void {
    // zigzag: (n << 1) ^ (n >> 63), on the two 32-bit halves.
    const sign = (high & 0x80000000) !== 0 ? 0xffffffff : 0;
    const zzHigh = (((high << 1) | (low >>> 31)) ^ sign) >>> 0;
    const zzLow = ((low << 1) ^ sign) >>> 0;
    this.position = writeVarint(this.buffer, this.position, zzHigh, zzLow);
  }

  private int(value: number): void {
    const signed = value | 0;
    this.position = writeVarint(
      this.buffer,
      this.position,
      0,
      ((signed << 1) ^ (signed >> 31)) >>> 0,
    );
  }
}

/** Writes the varint of the unsigned 64-bit value high * 2^32 + low; returns the new position. */
function writeVarint(buffer: Buffer, position: number, high: number, low: number): number {
  let hi = high;
  let lo = low;
  if (hi === 0 && lo > 0xffffffff) {
    // A number past 32 bits (a sequence or count): split it.
    hi = Math.floor(lo / 0x100000000);
    lo = lo >>> 0;
  }
  while (hi !== 0 || lo > 0x7f) {
    buffer[position++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buffer[position++] = lo;
  return position;
}

function writeString(buffer: Buffer, position: number, text: string): number {
  const length = Buffer.byteLength(text);
  const at = writeVarint(buffer, position, 0, length * 2);
  return at + buffer.write(text, at);
}
