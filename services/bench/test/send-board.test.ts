import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CellState, SendBoard } from '../src/send-board.js';

function board(conns: number): SendBoard {
  return new SendBoard(new SharedArrayBuffer(SendBoard.bytes(conns)), conns);
}

test('the layout: every connection has its own state, fd and times', () => {
  for (const conns of [1, 2, 3, 50]) {
    const b = board(conns);
    for (let i = 0; i < conns; i++) b.publish(i, 100 + i);
    for (let i = 0; i < conns; i++) {
      const index = b.claimNext();
      b.begin(index, 1000 + index, 2000 + index);
      b.written(index, true);
    }
    for (let i = 0; i < conns; i++) {
      assert.equal(b.state(i), CellState.busy);
      assert.equal(b.fd(i), 100 + i);
      assert.equal(b.sentAt(i), 2000 + i);
      assert.equal(b.settle(i), 1000 + i);
    }
  }
});

test('a connection goes CLOSED, FREE, CLAIMED, BUSY and FREE again', () => {
  const b = board(1);
  assert.equal(b.state(0), CellState.closed);
  assert.equal(b.inFlight(0), false);
  b.publish(0, 7);
  assert.equal(b.state(0), CellState.free);
  assert.equal(b.claimNext(), 0);
  assert.equal(b.state(0), CellState.claimed);
  assert.equal(b.inFlight(0), true);
  assert.equal(b.sentAt(0), -1, 'no send time until the request is written');
  b.begin(0, 5, 6);
  b.written(0, true);
  assert.equal(b.state(0), CellState.busy);
  assert.equal(b.sentAt(0), 6);
  assert.equal(b.settle(0), 5);
  b.release(0);
  assert.equal(b.state(0), CellState.free);
  assert.equal(b.inFlight(0), false);
});

test('a request that could not be written leaves the connection FAILED, in flight', () => {
  const b = board(1);
  b.publish(0, 7);
  b.claimNext();
  b.begin(0, 5, 6);
  b.written(0, false);
  assert.equal(b.state(0), CellState.failed);
  assert.equal(b.inFlight(0), true);
  assert.equal(b.sentAt(0), 6);
});

test('retire closes a connection and says whether a request was lost', () => {
  const b = board(2);
  b.publish(0, 7);
  b.publish(1, 8);
  assert.equal(b.retire(0), false, 'an idle connection loses nothing');
  assert.equal(b.state(0), CellState.closed);
  assert.equal(b.claimNext(), 1, 'a retired connection is not claimed');
  b.written(1, true);
  assert.equal(b.retire(1), true, 'a request in flight is lost');
  assert.equal(b.state(1), CellState.closed);
  assert.equal(b.retire(1), false, 'retiring twice changes nothing');
});

test('the worker takes idle connections in turn, not always the first', () => {
  const b = board(3);
  for (let i = 0; i < 3; i++) b.publish(i, i);
  const order: number[] = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 3; i++) {
      const index = b.claimNext();
      order.push(index);
      b.written(index, true);
      b.release(index);
    }
  }
  assert.deepEqual(order, [0, 1, 2, 0, 1, 2]);
});

test('once stopped, the worker claims nothing, even with idle connections', () => {
  const b = board(2);
  b.publish(0, 7);
  assert.equal(b.isStopped(), false);
  b.stop();
  assert.equal(b.isStopped(), true);
  assert.equal(b.claimNext(), -1);
  assert.equal(b.state(0), CellState.free);
});
