import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIZE_BOUNDS } from '@obscost/events';
import { decodedBatch as batch, decodedEvent as event } from '@obscost/testing';
import { invalidBatch } from '../src/batch-validation.js';
import { PartitionState } from '../src/partition-state.js';
import type { SeriesTotals } from '../src/series-table.js';
import { OVERFLOW } from '../src/state-limits.js';
import { encodeSnapshot } from '../src/snapshot-codec.js';
import { MAX_SNAPSHOT_BYTES } from '../src/snapshot-store.js';

function find(state: PartitionState, match: Partial<SeriesTotals>): SeriesTotals[] {
  return [...state.allSeries()].filter((s) =>
    Object.entries(match).every(([key, value]) => s[key as keyof SeriesTotals] === value),
  );
}

test('events count into their family, syscall and fd series, with size buckets', () => {
  const state = new PartitionState(false);
  state.add(
    batch('o', 1, [
      event('WRITE', 64),
      event('WRITE', 65),
      event('WRITE', 10, 10, 0),
      event('WRITEV', 2_000_000),
      event('TCP_SEND', 300),
      event('UPROBE', 300),
      event('UNSPECIFIED', 1),
      event('WRITE', 7, 99),
    ]),
    0,
    1000,
  );
  const socketWrites = find(state, {
    family: 'write',
    syscall: 'write',
    fd: 'socket',
    process: 'app',
  })[0];
  assert.ok(socketWrites);
  assert.equal(socketWrites.events, 2);
  assert.equal(socketWrites.bytes, 129);
  assert.deepEqual(socketWrites.buckets, [1, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(find(state, { syscall: 'write', fd: 'other' })[0]?.events, 1);
  assert.deepEqual(find(state, { syscall: 'writev' })[0]?.buckets.at(-1), 1, 'past the last bound');
  assert.equal(find(state, { family: 'tcp_send' })[0]?.bytes, 300);
  assert.equal(find(state, { family: 'uprobe' })[0]?.events, 1);
  assert.equal(find(state, { process: 'unknown' })[0]?.bytes, 7);
  assert.equal(state.unknownKindEvents, 1);
  assert.equal(state.events, 8);
  assert.equal(state.nextOffset, 1);
  assert.equal(SIZE_BOUNDS.length + 1, socketWrites.buckets.length);
});

test('pids share a series by name unless the pid is an attribute', () => {
  const events = [event('UPROBE', 1, 10), event('UPROBE', 1, 11)];
  const byName = new PartitionState(false);
  byName.add(batch('o', 1, events), 0, 0);
  assert.deepEqual(
    find(byName, { family: 'uprobe' }).map((s) => [s.pid, s.events]),
    [[undefined, 2]],
  );
  const byPid = new PartitionState(true);
  byPid.add(batch('o', 1, events), 0, 0);
  assert.deepEqual(
    find(byPid, { family: 'uprobe' }).map((s) => [s.pid, s.events]),
    [
      ['10', 1],
      ['11', 1],
    ],
  );
});

test('sequence numbers: a repeat adds nothing, a jump counts the batches missing', () => {
  const state = new PartitionState(false);
  const one = [event('UPROBE', 5)];
  assert.equal(state.add(batch('a', 4, one), 0, 0), true, 'a first sight at 4 is no gap');
  assert.equal(state.add(batch('a', 5, one), 1, 0), true);
  assert.equal(state.add(batch('a', 5, one), 2, 0), false);
  assert.equal(state.add(batch('a', 3, one), 3, 0), false);
  assert.equal(state.add(batch('a', 9, one), 4, 0), true);
  assert.equal(state.add(batch('b', 1, one), 5, 0), true);
  assert.deepEqual(state.sequences.get('h'), { gaps: 3, duplicates: 2, restarts: 0, stale: 0 });
  assert.equal(find(state, { family: 'uprobe' })[0]?.events, 4);
  assert.equal(state.records, 6);
  assert.equal(state.nextOffset, 6);
});

test('a restart under the same id is a new run: its sequence starts at 1 again, counted, and reported', () => {
  const state = new PartitionState(false);
  const one = [event('UPROBE', 5)];
  const run = (incarnation: number, sequence: number) => ({
    ...batch('pod:1', sequence, one),
    incarnation,
  });
  assert.equal(state.add(run(100, 1), 0, 0), true);
  assert.equal(state.add(run(100, 2), 1, 0), true);
  assert.equal(state.add(run(200, 1), 2, 0), true, 'not a duplicate of the first run');
  assert.equal(state.add(run(200, 2), 3, 0), true);
  assert.equal(state.add(run(100, 2), 4, 0), false, 'the first run replayed: a duplicate');
  assert.equal(state.add(run(150, 1), 5, 0), true, 'an older run seen late is no restart');
  assert.deepEqual(state.sequences.get('h'), { gaps: 0, duplicates: 1, restarts: 1, stale: 0 });
  assert.equal(find(state, { family: 'uprobe' })[0]?.events, 5);
});

test('a run forgotten as silent is not counted again when it is replayed', () => {
  const state = new PartitionState(false);
  const one = [event('UPROBE', 5)];
  state.add({ ...batch('a', 1, one), incarnation: 100 }, 0, 1_000);
  state.add({ ...batch('b', 1, one), incarnation: 300 }, 1, 1_000 + 25 * 3_600_000);
  state.forgetSilentRuns(24 * 3_600_000);
  assert.equal(state.forgottenThrough, 100);
  assert.equal(state.add({ ...batch('a', 1, one), incarnation: 100 }, 2, 0), false);
  assert.equal(state.add({ ...batch('c', 1, one), incarnation: 400 }, 3, 0), true, 'a new run');
  assert.deepEqual(state.sequences.get('h'), { gaps: 0, duplicates: 0, restarts: 0, stale: 1 });
});

test('a batch that decodes but cannot be counted is named invalid, with why', () => {
  const good = batch('o', 1, [event('WRITE', 3)]);
  assert.equal(invalidBatch(good), undefined);
  assert.equal(
    invalidBatch({ ...good, events: [event('WRITE', 3), event('WRITE', -5)] }),
    'event 1: bytes -5 is not a non-negative integer',
  );
  assert.equal(invalidBatch({ ...good, sequence: 0 }), 'sequence 0 is not a positive integer');
  assert.equal(
    invalidBatch({ ...good, incarnation: -1 }),
    'incarnation -1 is not a non-negative integer',
  );
  assert.equal(
    invalidBatch({ ...good, events: [event('WRITE', 3, -2)] }),
    'event 0: pid -2 is negative',
  );
});

test('a clone is independent of its original', () => {
  const state = new PartitionState(false);
  state.add(batch('o', 1, [event('UPROBE', 1)]), 0, 0);
  const copy = state.clone();
  copy.add(batch('o', 2, [event('UPROBE', 1)]), 1, 0);
  assert.equal(find(state, { family: 'uprobe' })[0]?.events, 1);
  assert.equal(find(copy, { family: 'uprobe' })[0]?.events, 2);
});

test('past --max-series, the events of new series go to the overflow series of their kind, exactly', () => {
  const state = new PartitionState(false, 2);
  state.add(batch('o', 1, [event('WRITE', 10), event('UPROBE', 20)]), 0, 0);
  state.add(batch('o', 2, [event('WRITE', 5, 11), event('UPROBE', 7, 11)]), 1, 0);
  const names = new Map([...state.allSeries()].map((s) => [`${s.family}/${s.process}`, s.events]));
  assert.equal(names.get('write/app'), 2, 'pid 11 is also app: the same series');
  state.add(
    { ...batch('o', 3, [event('WRITE', 3, 12), event('TCP_SEND', 9, 12)]), processes: [] },
    2,
    0,
  );
  assert.deepEqual(
    find(state, { host: OVERFLOW }).map((s) => [s.family, s.process, s.events, s.bytes]),
    [
      ['write', OVERFLOW, 1, 3],
      ['tcp_send', OVERFLOW, 1, 9],
    ],
  );
  assert.equal(state.overflowEvents, 2);
  const counted = [...state.allSeries()].reduce((sum, s) => sum + s.events, 0);
  assert.equal(counted, state.events, 'every event in exactly one series');
});

test('shrink halves the limits and folds what is past them, losing no count', () => {
  const state = new PartitionState(false, 64);
  const hosts = Array.from({ length: 12 }, (_, i) => `host-${i}`);
  hosts.forEach((host, i) => {
    state.add({ ...batch(`o${i}`, 1, [event('WRITE', 10), event('UPROBE', 20)]), host }, i, i);
    state.add({ ...batch(`o${i}`, 3, [event('WRITE', 1)]), host }, 100 + i, 100 + i);
  });
  const before = [...state.allSeries()].reduce((sum, s) => sum + s.events, 0);
  assert.equal(state.shrink(), true);
  assert.equal(state.shrink(), true);
  // 64 -> 16 series: the first 8 hosts' 2 series kept, the last 4 hosts' 3 events folded.
  assert.equal([...state.allSeries()].length, 16 + 2);
  assert.equal(
    [...state.allSeries()].reduce((sum, s) => sum + s.events, 0),
    before,
    'folded, not lost',
  );
  assert.equal(state.overflowEvents, 4 * 3);
  const gaps = [...state.sequences.values()].reduce((sum, c) => sum + c.gaps, 0);
  assert.equal(gaps, 12, 'every host had one gap, wherever it is counted now');
  assert.equal(state.sequences.size, 4, 'a quarter of 16 hosts, _overflow among them');
  assert.equal(state.shrink(), false, 'at the lowest limits');
});

test('the worst names at the default limits: the snapshot fits an offset commit once shrunk, every event kept', () => {
  const random = (length: number): string =>
    Array.from({ length }, () => Math.floor(Math.random() * 36).toString(36)).join('');
  const state = new PartitionState(true);
  let offset = 0;
  for (let h = 0; h < 400; h++) {
    const host = random(64);
    for (let run = 1; run <= 2; run++) {
      const events = ['WRITE', 'WRITEV', 'TCP_SEND', 'UPROBE'].flatMap((kind) =>
        [0, 1].map((flags) => event(kind, Math.floor(Math.random() * 1e9), 1000 + h, flags)),
      );
      state.add(
        {
          ...batch(random(64), 1, events),
          host,
          incarnation: run,
          processes: [{ pid: 1000 + h, name: random(15) }],
        },
        offset++,
        offset,
      );
    }
  }
  let snapshot = encodeSnapshot(state);
  assert.ok(
    snapshot.length > MAX_SNAPSHOT_BYTES,
    `${snapshot.length} bytes: a case past the limit`,
  );
  while (snapshot.length > MAX_SNAPSHOT_BYTES && state.shrink()) snapshot = encodeSnapshot(state);
  assert.ok(snapshot.length <= MAX_SNAPSHOT_BYTES, `${snapshot.length} bytes`);
  assert.equal(
    [...state.allSeries()].reduce((sum, s) => sum + s.events, 0),
    state.events,
  );
  assert.ok(state.overflowEvents > 0);
});

test('realistic names at the default limits fit without shrinking: 250 hosts, every kind of event', () => {
  const state = new PartitionState(false);
  let offset = 0;
  for (let h = 0; h < 250; h++) {
    const host = `ip-10-0-${h >> 4}-${h & 15}.eu-west-1.compute.internal`;
    const events = ['WRITE', 'WRITEV', 'TCP_SEND', 'UPROBE'].flatMap((kind) =>
      [0, 1].flatMap((flags) =>
        Array.from({ length: 9 }, (_, i) =>
          event(kind, Math.floor(Math.random() * 4 ** (i + 3)), 4000 + h, flags),
        ),
      ),
    );
    for (let sequence = 1; sequence <= 20; sequence++) {
      state.add(
        {
          ...batch(`${host}:${30000 + h}`, sequence, events),
          host,
          processes: [{ pid: 4000 + h, name: 'obscost-app' }],
        },
        offset++,
        offset,
      );
    }
  }
  assert.equal([...state.allSeries()].length, 1500);
  const bytes = encodeSnapshot(state).length;
  assert.ok(bytes <= MAX_SNAPSHOT_BYTES, `${bytes} bytes`);
  assert.equal(state.overflowEvents, 0);
});
