import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitQueue } from '../src/commit-queue.js';
import { PartitionState } from '../src/partition-state.js';

/** A commit that waits until the test answers it, and records when it was sent. */
function heldCommit(sent: string[], name: string) {
  let answer: (error?: Error) => void = () => undefined;
  const answered = new Promise<void>((resolve, reject) => {
    answer = (error) => {
      if (error) reject(error);
      else resolve();
    };
  });
  return {
    commit: () => {
      sent.push(name);
      return answered;
    },
    answer: (error?: Error) => {
      answer(error);
    },
  };
}

const settled = (promise: Promise<unknown>): Promise<boolean> =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) =>
      setImmediate(() => {
        resolve(false);
      }),
    ),
  ]);

test("a partition's commits go one after another; each fetch returns once the one before it is answered", async () => {
  const queue = new CommitQueue();
  const sent: string[] = [];
  const first = heldCommit(sent, 'first');
  const second = heldCommit(sent, 'second');
  const third = heldCommit(sent, 'third');
  const secondState = new PartitionState(false);
  await queue.enqueue(0, new PartitionState(false), first.commit);
  assert.deepEqual(sent, ['first'], 'the first commit is sent at once, the fetch goes on');
  const secondFetch = queue.enqueue(0, secondState, second.commit);
  assert.equal(queue.newest(0), secondState, 'the next fetch counts on the newest state');
  assert.equal(await settled(secondFetch), false, 'held while the first commit is in flight');
  assert.deepEqual(sent, ['first'], 'the second is not sent before the first is answered');
  first.answer();
  await secondFetch;
  assert.deepEqual(sent, ['first', 'second']);
  const otherPartition = heldCommit(sent, 'other');
  await queue.enqueue(1, new PartitionState(false), otherPartition.commit);
  assert.deepEqual(sent, ['first', 'second', 'other'], 'partitions do not wait on each other');
  const thirdFetch = queue.enqueue(0, new PartitionState(false), third.commit);
  second.answer();
  await thirdFetch;
  third.answer();
  otherPartition.answer();
  await queue.settle();
  assert.deepEqual(sent, ['first', 'second', 'other', 'third']);
});

test('a failed commit is thrown at the next fetch, and the next commit, which carries its totals, is still sent', async () => {
  const queue = new CommitQueue();
  const sent: string[] = [];
  const first = heldCommit(sent, 'first');
  const second = heldCommit(sent, 'second');
  const counted = new PartitionState(false);
  await queue.enqueue(0, new PartitionState(false), first.commit);
  const secondFetch = queue.enqueue(0, counted, second.commit);
  first.answer(new Error('the coordinator moved'));
  await assert.rejects(secondFetch, /the coordinator moved/);
  assert.equal(queue.newest(0), counted, 'kept: kafkajs fetches on after the offset resolved');
  second.answer();
  await queue.settle();
  assert.deepEqual(sent, ['first', 'second']);
  await queue.enqueue(0, new PartitionState(false), () => Promise.resolve());
});

test('forget drops the counted states: the next fetch counts on the committed one', async () => {
  const queue = new CommitQueue();
  await queue.enqueue(3, new PartitionState(false), () => Promise.reject(new Error('fenced')));
  queue.forget();
  assert.equal(queue.newest(3), undefined);
  await queue.enqueue(3, new PartitionState(false), () => Promise.resolve());
  await queue.settle();
});
