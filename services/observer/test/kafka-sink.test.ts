import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordMetadata } from 'kafkajs';
import { waitFor } from '@obscost/process';
import { uncoveredBy } from '../src/kafka-answers.js';
import { KafkaSink, type SinkProducer } from '../src/kafka-sink.js';

/** The broker's answer for partition 3 of topic t: written at `baseOffset`. */
const ack = (baseOffset = '0', errorCode = 0, partition = 3): RecordMetadata => ({
  topicName: 't',
  partition,
  errorCode,
  baseOffset,
});

/** kafkajs's shapes: a protocol error with its own flag, inside the retrier's wrapper. */
function kafkaError(type: string, retriable: boolean): Error {
  const cause = Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
  return Object.assign(new Error(`${type} (wrapped)`, { cause }), {
    name: 'KafkaJSNonRetriableError',
    retriable: false,
  });
}

/**
 * A producer whose sends fail with the queued errors, or resolve with the queued answers
 * without the records reaching any broker; `undefined` in the queue, and every send once it is
 * empty, succeeds, recording what it got.
 */
class FakeProducer implements SinkProducer {
  readonly sent: string[] = [];
  /** Each send's records, failed ones too. */
  readonly sends: string[][] = [];
  constructor(private readonly failures: (Error | RecordMetadata[] | undefined)[]) {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  send(record: { messages: { value: Buffer | string | null }[] }): Promise<RecordMetadata[]> {
    this.sends.push(record.messages.map((message) => String(message.value)));
    const failure = this.failures.shift();
    if (failure instanceof Error) return Promise.reject(failure);
    if (failure) return Promise.resolve(failure);
    for (const message of record.messages) this.sent.push(String(message.value));
    return Promise.resolve([ack(String(this.sent.length - 1))]);
  }
}

function sinkWith(producer: SinkProducer): KafkaSink {
  const options = {
    brokers: ['x:1'],
    security: {},
    topic: 't',
    key: 'k',
    compression: 'none' as const,
    maxBufferBytes: 1 << 20,
  };
  return new KafkaSink(options, () => undefined, producer);
}

const batch = (sequence: number) => ({ record: Buffer.from(`b${sequence}`), events: 10, sequence });

test(
  'records the broker refuses are dropped as rejected, and the next batch goes on',
  { timeout: 10_000 },
  async (t) => {
    const producer = new FakeProducer([kafkaError('MESSAGE_TOO_LARGE', false)]);
    const sink = sinkWith(producer);
    t.after(() => sink.close(0));
    sink.enqueue(batch(1));
    await waitFor('the refusal', () => sink.dropped.rejected === 10);
    sink.enqueue(batch(2));
    await waitFor('the next batch sent', () => sink.eventsSent === 10);
    assert.deepEqual(producer.sent, ['b2']);
  },
);

test(
  'other failures kafkajs will not retry are waited out, nothing dropped',
  { timeout: 10_000 },
  async (t) => {
    const producer = new FakeProducer([
      kafkaError('TOPIC_AUTHORIZATION_FAILED', false),
      Object.assign(new Error('retries exceeded', { cause: new Error('ECONNREFUSED') }), {
        retriable: false,
      }),
    ]);
    const sink = sinkWith(producer);
    t.after(() => sink.close(0));
    sink.enqueue(batch(1));
    await waitFor('the batch sent after the outages', () => sink.eventsSent === 10, 5_000);
    assert.deepEqual(producer.sent, ['b1']);
    assert.deepEqual(sink.dropped, { buffer_full: 0, rejected: 0, shutdown: 0, unconfirmed: 0 });
  },
);

/** A producer whose sends wait until the test answers them. */
class HeldProducer implements SinkProducer {
  readonly answers: ((ok: boolean) => void)[] = [];
  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  send(): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => {
      this.answers.push((ok) => {
        if (ok) resolve([ack()]);
        else reject(new Error('the connection closed'));
      });
    });
  }
}

test(
  'shutdown: a send in flight is sent if acknowledged in time, else unconfirmed; what never left is shutdown',
  { timeout: 10_000 },
  async () => {
    const producer = new HeldProducer();
    const sink = sinkWith(producer);
    sink.enqueue(batch(1));
    await waitFor('the send in flight', () => producer.answers.length === 1);
    sink.enqueue(batch(2));
    const closed = sink.close(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    producer.answers[0]?.(true);
    await closed;
    assert.equal(sink.eventsSent, 0, 'answered after the deadline');
    assert.deepEqual(sink.dropped, { buffer_full: 0, rejected: 0, shutdown: 10, unconfirmed: 10 });
    assert.equal(sink.bufferedBytes, 0);

    const second = new HeldProducer();
    const acknowledged = sinkWith(second);
    acknowledged.enqueue(batch(1));
    await waitFor('the send in flight', () => second.answers.length === 1);
    const closing = acknowledged.close(5_000);
    second.answers[0]?.(true);
    await closing;
    assert.equal(acknowledged.eventsSent, 10);
    assert.deepEqual(acknowledged.dropped, {
      buffer_full: 0,
      rejected: 0,
      shutdown: 0,
      unconfirmed: 0,
    });
  },
);

test('a send is acknowledged only by a real offset for its partition, without error', () => {
  assert.equal(uncoveredBy([ack('41')], 't', undefined), undefined);
  assert.equal(uncoveredBy([ack('41')], 't', 3), undefined);
  assert.equal(uncoveredBy([], 't', undefined), 'no acknowledgement for partition any');
  assert.equal(uncoveredBy([ack('41', 0, 5)], 't', 3), 'no acknowledgement for partition 3');
  assert.equal(
    uncoveredBy([{ ...ack(), topicName: 'u' }], 't', 3),
    'no acknowledgement for partition 3',
  );
  assert.equal(uncoveredBy([ack('-1')], 't', 3), 'partition 3 answered error 0 at offset -1');
  assert.equal(uncoveredBy([ack('7', 6)], 't', 3), 'partition 3 answered error 6 at offset 7');
  assert.equal(
    uncoveredBy([{ topicName: 't', partition: 3, errorCode: 0 }], 't', 3),
    'partition 3 answered error 0 at offset none',
  );
});

test(
  'a send that resolves without its partition is a failure: counted, and its batches sent again in order',
  { timeout: 10_000 },
  async (t) => {
    // Answered with nothing at all; then a normal send (partition 3 learned); then answered for
    // another partition only (kafkajs#1798's case).
    const producer = new FakeProducer([[], undefined, [ack('9', 0, 5)]]);
    const sink = sinkWith(producer);
    t.after(() => sink.close(0));
    sink.enqueue(batch(1));
    await waitFor('the first batch lost silently, then sent', () => sink.eventsSent === 10, 5_000);
    assert.equal(sink.unacknowledgedSends, 1);
    sink.enqueue(batch(2));
    sink.enqueue(batch(3));
    await waitFor('the next two, resent', () => sink.eventsSent === 30, 5_000);
    assert.deepEqual(producer.sent, ['b1', 'b2', 'b3']);
    assert.equal(sink.unacknowledgedSends, 2);
    assert.equal(sink.batchesSent, 3);
    assert.equal(sink.lastSequenceSent, 3);
    assert.equal(sink.bufferedBytes, 0);
    assert.deepEqual(sink.dropped, { buffer_full: 0, rejected: 0, shutdown: 0, unconfirmed: 0 });
  },
);

test(
  "a failed send goes again alone, as it was: the idempotent producer's sequence numbers then match",
  { timeout: 10_000 },
  async (t) => {
    const producer = new FakeProducer([new Error('the connection closed')]);
    const sink = sinkWith(producer);
    t.after(() => sink.close(0));
    sink.enqueue(batch(1));
    sink.enqueue(batch(2));
    await waitFor('the failed send', () => producer.sends.length === 1);
    sink.enqueue(batch(3));
    await waitFor('all three sent', () => sink.eventsSent === 30, 5_000);
    assert.deepEqual(producer.sends, [['b1', 'b2'], ['b1', 'b2'], ['b3']]);
  },
);
