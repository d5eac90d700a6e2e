/** What the forwarding tests share: reading the topic back, and the observer's counts. */
import type { TestContext } from 'node:test';
import { decodeBatch, type DecodedBatch } from '@obscost/events';
import { kafkaClient } from '@obscost/infra';
import {
  scrape,
  seriesValue,
  startObserver,
  waitFor,
  type OwnKafka,
  type RunningApp,
  type RunningObserver,
} from './support.js';

/** Every batch on the events topic, read from the beginning, once `done` says so. */
export async function consumeBatches(
  kafka: OwnKafka,
  done: (batches: DecodedBatch[]) => boolean,
  records: Buffer[] = [],
  topic = kafka.config.kafka.eventsTopic,
): Promise<DecodedBatch[]> {
  const consumer = kafkaClient(kafka.config, 'forwarding-test').consumer({
    groupId: `forwarding-test-${process.hrtime.bigint()}`,
  });
  const batches: DecodedBatch[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) {
          records.push(message.value);
          batches.push(decodeBatch(message.value));
        }
        return Promise.resolve();
      },
    });
    await waitFor('the batches on the topic', () => done(batches), 60_000);
  } finally {
    await consumer.disconnect();
  }
  return batches;
}

/**
 * Waits until the observer has nothing left to send (every closed batch acknowledged or
 * dropped, the buffer empty) and its last batch number holds still: the target has exited.
 */
export async function quiescent(observer: RunningObserver): Promise<string> {
  let previous = -1;
  let metrics = '';
  await waitFor(
    'the observer to send everything',
    async () => {
      metrics = await scrape(observer.url);
      const closed = seriesValue(metrics, 'observer_last_sequence');
      const sent = seriesValue(metrics, 'observer_last_sequence_sent');
      const dropped = seriesValue(metrics, 'observer_dropped_events_total{reason="buffer_full"}');
      const settled =
        (sent === closed || dropped > 0) && seriesValue(metrics, 'observer_buffer_bytes') === 0;
      const stable = settled && closed === previous;
      previous = closed;
      return stable;
    },
    60_000,
  );
  return metrics;
}

export const KIND_SERIES: Record<string, string[]> = {
  WRITE: [
    'app_write_events_total{syscall="write",fd="other"}',
    'app_write_events_total{syscall="write",fd="socket"}',
  ],
  WRITEV: [
    'app_write_events_total{syscall="writev",fd="other"}',
    'app_write_events_total{syscall="writev",fd="socket"}',
  ],
  TCP_SEND: ['app_tcp_send_events_total{probe="tp_btf/sock_send_length"}'],
  UPROBE: ['app_uprobe_calls_total'],
};
export const BYTES_SERIES: Record<string, string[]> = {
  WRITE: [
    'app_write_bytes_total{syscall="write",fd="other"}',
    'app_write_bytes_total{syscall="write",fd="socket"}',
  ],
  WRITEV: [
    'app_write_bytes_total{syscall="writev",fd="other"}',
    'app_write_bytes_total{syscall="writev",fd="socket"}',
  ],
  TCP_SEND: ['app_tcp_send_bytes_total{probe="tp_btf/sock_send_length"}'],
  UPROBE: ['app_uprobe_bytes_total'],
};

export function observed(
  metrics: string,
  series: Record<string, string[]>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(series).map(([kind, names]) => [
      kind,
      names.reduce((sum, name) => sum + seriesValue(metrics, name), 0),
    ]),
  );
}

export function tally(batches: DecodedBatch[]): {
  events: Record<string, number>;
  bytes: Record<string, number>;
} {
  const events: Record<string, number> = { WRITE: 0, WRITEV: 0, TCP_SEND: 0, UPROBE: 0 };
  const bytes: Record<string, number> = { WRITE: 0, WRITEV: 0, TCP_SEND: 0, UPROBE: 0 };
  for (const event of batches.flatMap((batch) => batch.events)) {
    events[event.kind] = (events[event.kind] ?? 0) + 1;
    bytes[event.kind] = (bytes[event.kind] ?? 0) + event.bytes;
  }
  return { events, bytes };
}

export function sequences(batches: DecodedBatch[]): number[] {
  return batches.map((batch) => batch.sequence);
}

export function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

export async function observe(
  t: TestContext,
  app: RunningApp,
  kafka: OwnKafka,
  args: string[] = [],
): Promise<RunningObserver> {
  const observer = await startObserver([
    ...['--pid', String(app.process.pid), '--kafka-brokers', kafka.brokers],
    ...['--topic', kafka.config.kafka.eventsTopic, '--observer-id', 'forwarding-test'],
    ...args,
  ]);
  t.after(() => observer.stop());
  return observer;
}
