/** A ring buffer in plain memory, for tests of everything that drains one, without root. */
import { EVENT_LAYOUT, EVENT_SIZE } from '@obscost/events';
import { PAGE_SIZE, RingBufferReader } from '../src/ring-buffer.js';

export const BUSY = 0x80000000;
export const DISCARD = 0x40000000;

/** A ring buffer laid out as the kernel maps it, written the way the kernel writes it. */
export class FakeRing {
  readonly consumerPage = new ArrayBuffer(PAGE_SIZE);
  readonly producerAndData: ArrayBuffer;
  private readonly consumer: DataView;
  private readonly producer: DataView;
  private readonly data: DataView;
  position: number;

  constructor(
    readonly size: number,
    start = 0,
  ) {
    this.producerAndData = new ArrayBuffer(PAGE_SIZE + 2 * size);
    this.consumer = new DataView(this.consumerPage);
    this.producer = new DataView(this.producerAndData, 0, PAGE_SIZE);
    this.data = new DataView(this.producerAndData, PAGE_SIZE);
    this.position = start;
    this.consumer.setBigUint64(0, BigInt(start), true);
    this.producer.setBigUint64(0, BigInt(start), true);
  }

  get consumed(): number {
    return Number(this.consumer.getBigUint64(0, true));
  }

  /** Appends a record; the data pages are mapped twice, so every byte lands in both copies. */
  push(payload: Uint8Array, flags = 0): void {
    const header = new DataView(new ArrayBuffer(8));
    header.setUint32(0, (payload.length | flags) >>> 0, true);
    this.write(this.position, new Uint8Array(header.buffer));
    this.write(this.position + 8, payload);
    this.position += (payload.length + 8 + 7) & ~7;
    this.producer.setBigUint64(0, BigInt(this.position), true);
  }

  private write(position: number, bytes: Uint8Array): void {
    bytes.forEach((byte, i) => {
      const offset = (position + i) % this.size;
      this.data.setUint8(offset, byte);
      this.data.setUint8(offset + this.size, byte);
    });
  }

  reader(): RingBufferReader {
    return new RingBufferReader(this.consumerPage, this.producerAndData, this.size);
  }
}

export function event(kind: number, bytes: number, flags = 0): Uint8Array {
  const view = new DataView(new ArrayBuffer(EVENT_SIZE));
  view.setBigUint64(EVENT_LAYOUT.bytes.offset, BigInt(bytes), true);
  view.setUint16(EVENT_LAYOUT.kind.offset, kind, true);
  view.setUint16(EVENT_LAYOUT.flags.offset, flags, true);
  return new Uint8Array(view.buffer);
}
