import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventCounters } from '../src/counters.js';
import { EVENT_LAYOUT, EVENT_SIZE, EventKind } from '@obscost/events';
import { PAGE_SIZE, RingBufferReader } from '../src/ring-buffer.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;

/** A ring buffer laid out as the kernel maps it, written the way the kernel writes it. */
class FakeRing {
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

function event(kind: number, bytes: number, flags = 0): Uint8Array {
  const view = new DataView(new ArrayBuffer(EVENT_SIZE));
  view.setBigUint64(EVENT_LAYOUT.bytes.offset, BigInt(bytes), true);
  view.setUint16(EVENT_LAYOUT.kind.offset, kind, true);
  view.setUint16(EVENT_LAYOUT.flags.offset, flags, true);
  return new Uint8Array(view.buffer);
}

test('drains committed records in order, skips discarded ones, releases the space', () => {
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(event(EventKind.UPROBE, 153));
  ring.push(event(EventKind.UPROBE, 999), DISCARD);
  ring.push(event(EventKind.WRITEV, 153, 1));
  const counters = new EventCounters();
  assert.equal(ring.reader().drain(counters.visit), 2);
  assert.equal(counters.eventsOf(EventKind.UPROBE), 1);
  assert.equal(counters.bytesOf(EventKind.UPROBE), 153);
  assert.equal(counters.bytesOf(EventKind.WRITEV, true), 153);
  assert.equal(counters.bytesOf(EventKind.WRITEV, false), 0);
  assert.equal(ring.consumed, ring.position);
});

test('stops at a record the kernel is still writing', () => {
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(event(EventKind.WRITE, 1));
  const busyAt = ring.position;
  ring.push(event(EventKind.WRITE, 2), BUSY);
  ring.push(event(EventKind.WRITE, 4));
  const counters = new EventCounters();
  const reader = ring.reader();
  assert.equal(reader.drain(counters.visit), 1);
  assert.equal(ring.consumed, busyAt);
  assert.equal(reader.pending, ring.position - busyAt);
});

test('records that wrap around the end, at positions past 2^32', () => {
  const start = 2 ** 32 + PAGE_SIZE - 40; // two records fit before the end, the third wraps
  const ring = new FakeRing(PAGE_SIZE, start);
  const counters = new EventCounters();
  const reader = ring.reader();
  let total = 0;
  for (let round = 0; round < 300; round++) {
    for (let i = 0; i < 3; i++) ring.push(event(EventKind.TCP_SEND, 100 + i));
    total += reader.drain(counters.visit);
  }
  assert.equal(total, 900);
  assert.equal(counters.eventsOf(EventKind.TCP_SEND), 900);
  assert.equal(counters.bytesOf(EventKind.TCP_SEND), 300 * (100 + 101 + 102));
  assert.equal(ring.consumed, ring.position);
});

test('a record that is not an event is counted and skipped, never fatal', () => {
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(new Uint8Array(12));
  ring.push(event(9, 1));
  ring.push(event(EventKind.WRITE, 5 * 2 ** 40));
  const counters = new EventCounters();
  assert.equal(ring.reader().drain(counters.visit), 3);
  assert.deepEqual(counters.decodeErrors, { size: 1, kind: 1 });
  assert.equal(counters.bytesOf(EventKind.WRITE), 5 * 2 ** 40);
});
