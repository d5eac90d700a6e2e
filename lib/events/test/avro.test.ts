import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatch, encodeBatch, FramingError, type DecodedBatch } from '../src/avro.js';

const BATCH: DecodedBatch = {
  observer_id: 'o',
  host: 'h',
  sequence: 1,
  incarnation: 0,
  events: [{ timestamp_ns: 5, bytes: 32, pid: 7, tid: 7, fd: 3, kind: 'WRITE', flags: 1 }],
  processes: [{ pid: 7, name: 'app' }],
};

function refusal(value: Buffer): string {
  try {
    decodeBatch(value);
  } catch (err) {
    assert.ok(err instanceof FramingError, String(err));
    return `${err.reason}: ${err.message}`;
  }
  assert.fail('decoded');
}

test('a batch decodes as it was encoded', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(decodeBatch(encodeBatch(BATCH)))), BATCH);
});

test('a record without the marker or with another schema is refused by reason', () => {
  assert.match(refusal(Buffer.from('{"json":1}')), /^not-single-object: /);
  const other = encodeBatch(BATCH);
  other[9] = (other[9] ?? 0) ^ 1;
  assert.match(refusal(other), /^unknown-schema: /);
  assert.match(refusal(encodeBatch(BATCH).subarray(0, 20)), /^malformed: /);
});

test('an array that claims more items than its record has bytes is refused before reading them', () => {
  // Found by `npm run fuzz`: avsc alone reads 2^31 events from 21 bytes until the heap runs out.
  const empty = encodeBatch({ ...BATCH, events: [], processes: [] });
  const eventsAt = 16; // header 10, two 1-character strings 2+2, sequence 1, incarnation 1
  assert.equal(empty[eventsAt], 0, 'the empty events array');
  const claim = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]); // zigzag 2^31 - 1
  const hostile = Buffer.concat([empty.subarray(0, eventsAt), claim, empty.subarray(eventsAt)]);
  assert.equal(
    refusal(hostile),
    'malformed: malformed batch: an array block claims 2147483647 items in 2 bytes',
  );
});
