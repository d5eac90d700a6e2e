import assert from 'node:assert/strict';
import { EVENT_METRICS, encodeBatch, type DecodedBatch } from '@obscost/events';
import { APP_PID, batch, expectedTotals, HOST, total, variedEvents } from './aggregator-support.js';

/** Known batches, and records that are no batch, for the aggregator to count or turn away. */
export interface KnownRecords {
  /** The records in the order produced: 9 on partition 0, 2 on partition 1. */
  readonly records: { partition: number; value: Buffer }[];
  /** The batches that count: neither a duplicate nor refused. */
  readonly counted: DecodedBatch[];
  /** Of those, the ones on partition 0. */
  readonly onPartition0: DecodedBatch[];
}

/**
 * Every case of one partition's reading: a pid the batch does not name, a gap, a duplicate, a
 * restart under the same id, an invalid batch, and three records that are no batch at all.
 */
export function knownRecords(): KnownRecords {
  const first = batch('observer-a', 1, [
    { kind: 'WRITE', bytes: 100 },
    { kind: 'WRITE', bytes: 64, socket: false },
    { kind: 'WRITEV', bytes: 3000 },
    { kind: 'TCP_SEND', bytes: 3100 },
    { kind: 'UPROBE', bytes: 3000 },
    { kind: 'WRITE', bytes: 5, pid: 99 },
  ]);
  const second = batch('observer-a', 2, variedEvents(500, 1));
  const afterGap = batch('observer-a', 5, variedEvents(300, 2));
  const other = batch('observer-b', 1, variedEvents(400, 3));
  // observer-a restarted under the same id: a new run, its sequence from 1 again.
  const restarted = { ...batch('observer-a', 1, variedEvents(200, 4)), incarnation: 2 };
  const restartedNext = { ...batch('observer-a', 2, variedEvents(100, 5)), incarnation: 2 };
  const negative = batch('observer-c', 1, [{ kind: 'WRITE', bytes: -100 }]);
  const truncated = encodeBatch(second).subarray(0, 40);
  const wrongSchema = Buffer.concat([
    Buffer.from([0xc3, 0x01]),
    Buffer.alloc(8, 0xab),
    Buffer.from('x'),
  ]);
  return {
    records: [
      { partition: 0, value: encodeBatch(first) },
      { partition: 0, value: Buffer.from('not an Avro batch') },
      { partition: 0, value: encodeBatch(second) },
      { partition: 0, value: encodeBatch(second) },
      { partition: 0, value: wrongSchema },
      { partition: 0, value: encodeBatch(afterGap) },
      { partition: 0, value: encodeBatch(restarted) },
      { partition: 0, value: encodeBatch(restartedNext) },
      { partition: 0, value: encodeBatch(negative) },
      { partition: 1, value: encodeBatch(other) },
      { partition: 1, value: truncated },
    ],
    counted: [first, second, afterGap, other, restarted, restartedNext],
    onPartition0: [first, second, afterGap, restarted, restartedNext],
  };
}

/** Each write series of the app on partition 0, by syscall and fd; a pid unnamed, `unknown`. */
export function assertWriteSeries(text: string, onPartition0: DecodedBatch[]): void {
  const events = onPartition0.flatMap((b) => b.events);
  const writes = (kind: string, socket: boolean) =>
    events.filter((e) => e.kind === kind && e.pid === APP_PID && (e.flags === 1) === socket).length;
  const app = { host: HOST, process: 'obscost-app', partition: '0' };
  for (const [syscall, kind] of [
    ['write', 'WRITE'],
    ['writev', 'WRITEV'],
  ] as const) {
    for (const socket of [true, false]) {
      assert.equal(
        total(text, EVENT_METRICS.write.events, {
          ...app,
          syscall,
          fd: socket ? 'socket' : 'other',
        }),
        writes(kind, socket),
        `${syscall} ${socket ? 'socket' : 'other'}`,
      );
    }
  }
  assert.equal(
    total(text, EVENT_METRICS.write.bytes, { process: 'unknown' }),
    5,
    'a pid missing from the batch names no process',
  );
}

/** The TCP send size histogram: its count, sum and buckets, against the events counted. */
export function assertTcpSizes(text: string, counted: DecodedBatch[]): void {
  const tcpSizes = EVENT_METRICS.tcp_send.sizes;
  assert.equal(
    total(text, `${tcpSizes}_count`),
    expectedTotals(counted).get(EVENT_METRICS.tcp_send.events),
  );
  assert.equal(
    total(text, `${tcpSizes}_sum`),
    expectedTotals(counted).get(EVENT_METRICS.tcp_send.bytes),
  );
  const tcpBytes = counted.flatMap((b) =>
    b.events.filter((e) => e.kind === 'TCP_SEND').map((e) => e.bytes),
  );
  for (const le of [64, 256, 1024, 4096]) {
    assert.equal(
      total(text, `${tcpSizes}_bucket`, { le: String(le) }),
      tcpBytes.filter((bytes) => bytes <= le).length,
      `tcp sizes <= ${le}`,
    );
  }
}

/** One dead letter per reason, and what the sequence numbers said: 2 gaps, a duplicate, a restart. */
export function assertRejectionsAndSequences(text: string): void {
  assert.equal(total(text, 'aggregator_decode_errors_total', { reason: 'not-single-object' }), 1);
  assert.equal(total(text, 'aggregator_decode_errors_total', { reason: 'unknown-schema' }), 1);
  assert.equal(total(text, 'aggregator_decode_errors_total', { reason: 'malformed' }), 1);
  assert.equal(total(text, 'aggregator_decode_errors_total', { reason: 'invalid' }), 1);
  assert.equal(total(text, 'aggregator_dead_letter_records_total'), 4);
  assert.equal(total(text, 'aggregator_sequence_gap_batches_total', { host: HOST }), 2);
  assert.equal(total(text, 'aggregator_duplicate_batches_total', { host: HOST }), 1);
  assert.equal(total(text, 'aggregator_observer_restarts_total', { host: HOST }), 1);
  assert.equal(total(text, 'aggregator_consumer_lag_records'), 0);
}
