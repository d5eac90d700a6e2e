import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordMetadata } from 'kafkajs';
import { waitFor } from '@obscost/process';
import { KafkaSink, type SinkProducer } from '../src/kafka-sink.js';

/** kafkajs's shapes: a protocol error with its own flag, inside the retrier's wrapper. */
function kafkaError(type: string, retriable: boolean): Error {
  const cause = Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
  return Object.assign(new Error(`${type} (wrapped)`, { cause }), {
    name: 'KafkaJSNonRetriableError',
    retriable: false,
  });
}

/** A producer whose sends fail with the queued errors, then succeed, recording what it got. */
class FakeProducer implements SinkProducer {
  readonly sent: string[] = [];
  constructor(private readonly failures: Error[]) {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  send(record: { messages: { value: Buffer | string | null }[] }): Promise<RecordMetadata[]> {
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    for (const message of record.messages) this.sent.push(String(message.value));
    return Promise.resolve([]);
  }
}

function sinkWith(producer: FakeProducer): KafkaSink {
  const options = {
    brokers: ['x:1'],
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
    assert.deepEqual(sink.dropped, { buffer_full: 0, rejected: 0, shutdown: 0 });
  },
);
