import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatch, EventKind } from '@obscost/events';
import { Pipeline } from '../src/pipeline.js';
import { PAGE_SIZE } from '../src/ring-buffer.js';
import { FakeCapture, FakeSink } from './fakes.js';
import { event, FakeRing } from './fake-ring.js';

const BATCHES = {
  observerId: 'test',
  host: 'h',
  incarnation: 1,
  batchBytes: 64 * 1024,
  batchAgeMs: 1000,
};

test('each record is counted; events go into the batch, then to the capture file and the sink', () => {
  const calls: string[] = [];
  const sink = new FakeSink(calls);
  const pipeline = new Pipeline({ sink, capture: new FakeCapture(calls) }, BATCHES);
  pipeline.nameProcesses([{ pid: 7, name: 'obscost-app' }]);
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(event(EventKind.WRITE, 10));
  ring.push(new Uint8Array(12));
  ring.push(event(EventKind.UPROBE, 20));
  ring.push(event(9, 1));
  assert.equal(ring.reader().drain(pipeline.visit), 4);
  assert.equal(pipeline.counters.eventsOf(EventKind.WRITE), 1);
  assert.equal(pipeline.counters.bytesOf(EventKind.UPROBE), 20);
  assert.deepEqual(pipeline.counters.decodeErrors, { size: 1, kind: 1 });
  assert.deepEqual(calls, [], 'the batch is still open');

  pipeline.batcher?.flush();
  assert.deepEqual(calls, ['capture: batch', 'sink: batch 1 (2 events)']);
  const batch = decodeBatch(sink.batches[0]?.record ?? Buffer.alloc(0));
  assert.deepEqual(
    batch.events.map((e) => [e.kind, e.bytes]),
    [
      ['WRITE', 10],
      ['UPROBE', 20],
    ],
    'only the records that are events are forwarded',
  );
  assert.deepEqual(
    batch.processes.map((p) => ({ ...p })),
    [{ pid: 7, name: 'obscost-app' }],
  );
});

test('a batch closes on age at a tick, not before', async () => {
  const sink = new FakeSink();
  const pipeline = new Pipeline({ sink }, { ...BATCHES, batchAgeMs: 30 });
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(event(EventKind.WRITE, 1));
  ring.reader().drain(pipeline.visit);
  pipeline.tick();
  assert.equal(sink.batches.length, 0);
  // libuv times timers from the loop's cached millisecond clock: a 30 ms timer can fire a
  // fraction of a millisecond before 30 ms have passed on performance.now()'s clock.
  await new Promise((resolve) => setTimeout(resolve, 40));
  pipeline.tick();
  assert.equal(sink.batches.length, 1);
});

test('neither Kafka nor a capture file: records are counted, nothing is batched', () => {
  const pipeline = new Pipeline({}, BATCHES);
  assert.equal(pipeline.batcher, undefined);
  assert.equal(pipeline.visit, pipeline.counters.visit, 'no closure around the counters');
  const ring = new FakeRing(PAGE_SIZE);
  ring.push(event(EventKind.TCP_SEND, 5));
  ring.reader().drain(pipeline.visit);
  assert.equal(pipeline.counters.bytesOf(EventKind.TCP_SEND), 5);
});

test('a capture file that fails stops there, logged once; later events are counted, Kafka gets every batch', () => {
  const calls: string[] = [];
  const sink = new FakeSink(calls);
  const capture = new FakeCapture(calls);
  const lines: string[] = [];
  const pipeline = new Pipeline({ sink, capture }, { ...BATCHES, log: (line) => lines.push(line) });
  const ring = new FakeRing(PAGE_SIZE);
  const reader = ring.reader();
  const batchOf = (events: number): void => {
    for (let i = 0; i < events; i++) ring.push(event(EventKind.WRITE, 10));
    reader.drain(pipeline.visit);
    pipeline.batcher?.flush();
  };
  batchOf(2);
  capture.failure = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
  });
  batchOf(3);
  batchOf(4);
  assert.deepEqual(calls, [
    'capture: batch',
    'sink: batch 1 (2 events)',
    'sink: batch 2 (3 events)',
    'sink: batch 3 (4 events)',
  ]);
  assert.equal(pipeline.captureDroppedEvents, 7);
  assert.deepEqual(lines, [
    'observer: capture stopped: ENOSPC: no space left on device, write; the file holds batches 1 ' +
      'to 1, later events are counted in observer_capture_dropped_events_total',
  ]);
  pipeline.closeCapture();
  assert.equal(calls.at(-1), 'capture: close');
});
