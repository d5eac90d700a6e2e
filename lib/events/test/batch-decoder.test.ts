import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatch, encodeBatch, FramingError, type DecodedBatch } from '../src/avro.js';
import { BatchReader, columnsOf, type BatchColumns } from '../src/batch-decoder.js';
import { BatchEncoder } from '../src/batch-encoder.js';

/** What avsc makes of `value`, as columns, or the FramingError's reason. */
function byAvsc(value: Buffer): BatchColumns | string {
  try {
    return columnsOf(decodeBatch(value));
  } catch (err) {
    assert.ok(err instanceof FramingError, String(err));
    return err.reason;
  }
}

function byReader(reader: BatchReader, value: Buffer): BatchColumns | string {
  try {
    // Copied: the reader's views are reused by its next read.
    return columnsOf(toBatch(reader.read(value)));
  } catch (err) {
    assert.ok(err instanceof FramingError, String(err));
    return err.reason;
  }
}

const SYMBOLS = ['UNSPECIFIED', 'WRITE', 'WRITEV', 'TCP_SEND', 'UPROBE'];

function toBatch(columns: BatchColumns): DecodedBatch {
  const events = Array.from({ length: columns.length }, (_, i) => ({
    timestamp_ns: columns.timestampNs[i] ?? 0,
    bytes: columns.bytes[i] ?? 0,
    pid: columns.pid[i] ?? 0,
    tid: columns.tid[i] ?? 0,
    fd: columns.fd[i] ?? 0,
    kind: SYMBOLS[columns.kind[i] ?? -1] as string,
    flags: columns.flags[i] ?? 0,
  }));
  const { observer_id, host, sequence, incarnation, processes } = columns;
  return { observer_id, host, sequence, incarnation, events, processes: [...processes] };
}

/** A deterministic pseudo-random source, so that a failure can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Batches as the observer writes them: its encoder, straight from ring-buffer words. */
function observerBatches(next: () => number, count: number): Buffer[] {
  const encoder = new BatchEncoder('observer-é', 'host', 1_765_000_000_000, 2048);
  const words = new Uint32Array(8);
  const records: Buffer[] = [];
  while (records.length < count) {
    for (let i = 0; i < 8; i++) words[i] = (next() * 2 ** 32) >>> 0;
    words[1] = (words[1] ?? 0) & 0x1fffff; // a timestamp below 2^53 ns
    words[3] = next() < 0.9 ? 0 : (words[3] ?? 0) & 0xfff;
    words[7] = ((words[7] ?? 0) & 0xffff0000) | Math.floor(next() * 5);
    encoder.append(words, 0);
    if (encoder.full || next() < 0.002) {
      records.push(encoder.close(records.length + 1, [{ pid: words[4] ?? 0, name: 'app' }]));
    }
  }
  return records;
}

test("the reader gives avsc's decoding, as columns, for the observer's batches", () => {
  const reader = new BatchReader();
  for (const record of observerBatches(random(1), 40)) {
    assert.deepEqual(byReader(reader, record), byAvsc(record));
  }
});

/** Avro's zigzag varint of any integer, written by hand: avsc refuses to write some of these. */
function varint(value: bigint): number[] {
  let zigzag = value >= 0n ? value * 2n : -value * 2n - 1n;
  const bytes: number[] = [];
  while (zigzag > 0x7fn) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  return [...bytes, Number(zigzag)];
}

function record(...fields: (bigint | string)[]): Buffer {
  const body = fields.flatMap((field) =>
    typeof field === 'string'
      ? [...varint(BigInt(Buffer.byteLength(field))), ...Buffer.from(field)]
      : varint(field),
  );
  return Buffer.concat([encodeBatch(BATCH_HEAD).subarray(0, 10), Buffer.from(body)]);
}

const BATCH_HEAD: DecodedBatch = {
  observer_id: 'o',
  host: 'h',
  sequence: 1,
  incarnation: 0,
  events: [],
  processes: [],
};

test('the reader gives what avsc gives for numbers past 2^53, enum indexes out of range, blocks', () => {
  const reader = new BatchReader();
  const event = (timestamp: bigint, kind: bigint): bigint[] => [
    timestamp,
    1n,
    7n,
    7n,
    -1n,
    kind,
    1n,
  ];
  const cases = [
    record('o', 'h', 2n ** 53n + 3n, 0n, 1n, ...event(5n, 1n), 0n, 0n),
    record('o', 'h', 1n, 0n, 1n, ...event(2n ** 60n, 1n), 0n, 0n),
    record('o', 'h', 1n, 0n, 1n, ...event(5n, 6n), 0n, 0n),
    record('o', 'h', 1n, 0n, 1n, ...event(5n, -1n), 0n, 0n),
    record('o', 'h', 1n, 0n, 1n, ...event(5n, 1n), 1n, ...event(6n, 2n), 0n, 0n),
    record('o', 'h', 1n, 0n, -1n, 7n, ...event(5n, 1n), 0n, 0n),
    record('o', 'h', 1n, 0n, 0n, 1n, 2n ** 40n, 'app', 0n),
    record('o', 'h', 1n, 0n, 0n, 0n, 0n),
    record('o', 'h', 1n, 0n, 0n),
  ];
  for (const value of cases) {
    assert.deepEqual(byReader(reader, value), byAvsc(value), value.toString('hex'));
  }
  assert.equal((byReader(reader, cases[4] as Buffer) as BatchColumns).length, 2, 'two blocks');
});

test('every corruption of a batch is read as avsc reads it, or refused for the same reason', () => {
  const next = random(7);
  const reader = new BatchReader();
  const records = observerBatches(next, 8);
  for (let trial = 0; trial < 3000; trial++) {
    const source = records[trial % records.length] as Buffer;
    const cut = next() < 0.5 ? source.length : 10 + Math.floor(next() * (source.length - 9));
    const record = Buffer.from(source.subarray(0, cut));
    for (let flips = 1 + Math.floor(next() * 3); flips > 0; flips--) {
      const at = Math.floor(next() * record.length);
      record[at] = Math.floor(next() * 256);
    }
    assert.deepEqual(byReader(reader, record), byAvsc(record), record.toString('hex'));
  }
});
