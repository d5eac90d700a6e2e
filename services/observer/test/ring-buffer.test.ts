import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventKind } from '@obscost/events';
import { EventCounters } from '../src/counters.js';
import { PAGE_SIZE } from '../src/ring-buffer.js';
import { BUSY, DISCARD, event, FakeRing } from './fake-ring.js';

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
