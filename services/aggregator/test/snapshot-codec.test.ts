import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { decodedBatch as batch, decodedEvent as event } from '@obscost/testing';
import { AggregatorError } from '../src/errors.js';
import { PartitionState } from '../src/partition-state.js';
import { decodeSnapshot, encodeSnapshot, OBSERVER_TTL_MS } from '../src/snapshot-codec.js';

test('a snapshot restores everything, the runs forgotten as silent included', () => {
  const state = new PartitionState(true);
  state.add(batch('old', 1, [event('WRITE', 100), event('TCP_SEND', 5000)]), 7, 1_000);
  state.add(batch('new', 3, [event('WRITEV', 1)]), 8, 50_000);
  state.reject('malformed', 9);
  const restored = decodeSnapshot(encodeSnapshot(state), true);
  assert.deepEqual([...restored.allSeries()], [...state.allSeries()]);
  assert.deepEqual(restored.rejected, state.rejected);
  assert.deepEqual(restored.sequences, state.sequences);
  assert.equal(restored.nextOffset, 10);
  assert.equal(restored.records, 3);
  assert.equal(restored.add(batch('old', 1, []), 10, 50_000), false, 'old is still known');

  state.forgetSilentRuns(10_000);
  const pruned = decodeSnapshot(encodeSnapshot(state), true);
  assert.equal(pruned.add(batch('old', 1, []), 10, 50_000), false, 'old was forgotten: stale');
  assert.equal(pruned.add(batch('new', 3, []), 11, 50_000), false, 'new is remembered');
  assert.deepEqual(pruned.sequences.get('h'), { gaps: 0, duplicates: 1, restarts: 0, stale: 1 });
});

test('anything but a snapshot is refused', () => {
  assert.throws(() => decodeSnapshot('not base64 deflate', false));
});

test('the snapshot format, as committed offsets carry it (version 2)', () => {
  const state = new PartitionState(false);
  state.add(batch('o', 2, [event('WRITE', 100, 10, 0), event('UPROBE', 7)]), 4, 1_000);
  state.reject('unknown-schema', 5);
  const json = inflateRawSync(Buffer.from(encodeSnapshot(state), 'base64')).toString('utf8');
  assert.equal(
    json,
    JSON.stringify({
      version: 2,
      nextOffset: 6,
      records: 2,
      events: 2,
      unknownKindEvents: 0,
      rejected: { 'unknown-schema': 1 },
      sequences: { h: { gaps: 0, duplicates: 0, restarts: 0, stale: 0 } },
      forgottenThrough: -1,
      overflowEvents: 0,
      series: [
        ['write', 'h', 'app', null, 'write', 'other', 1, 100, [0, 1, 0, 0, 0, 0, 0, 0, 0]],
        ['uprobe', 'h', 'app', null, null, null, 1, 7, [1, 0, 0, 0, 0, 0, 0, 0, 0]],
      ],
      observers: [['o', 1, 2, 1_000]],
    }),
  );
  assert.equal(OBSERVER_TTL_MS, 24 * 3_600_000);
});

test('a version-1 snapshot (before incarnations) is read as incarnation 0, nothing lost', () => {
  const v1 = {
    version: 1,
    nextOffset: 6,
    records: 2,
    events: 2,
    unknownKindEvents: 0,
    rejected: {},
    sequences: { h: { gaps: 1, duplicates: 0 } },
    series: [['uprobe', 'h', 'app', null, null, null, 2, 7, [2, 0, 0, 0, 0, 0, 0, 0, 0]]],
    observers: [['o', 2, 1_000]],
  };
  const state = decodeSnapshot(deflateRawSync(JSON.stringify(v1)).toString('base64'), false);
  assert.equal(state.nextOffset, 6);
  assert.deepEqual(state.sequences.get('h'), { gaps: 1, duplicates: 0, restarts: 0, stale: 0 });
  assert.equal(state.add({ ...batch('o', 2, []), incarnation: 0 }, 6, 2_000), false, 'a repeat');
  assert.equal([...state.allSeries()][0]?.events, 2);
});

test('a snapshot of another version is refused by its code', () => {
  const future = deflateRawSync(JSON.stringify({ version: 3 })).toString('base64');
  assert.throws(
    () => decodeSnapshot(future, false),
    (err: unknown) => err instanceof AggregatorError && err.code === 'AGG_SNAPSHOT_VERSION',
  );
});
