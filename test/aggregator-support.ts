import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  EVENT_FLAG_SOCKET,
  EVENT_METRICS,
  EventKind,
  type DecodedBatch,
  type EventFamily,
} from '@obscost/events';
import { decodedBatch, decodedEvent } from '@obscost/testing';
import { kafkaClient } from '@obscost/infra';
import { parseExposition, sumOf } from '@obscost/measure';
import {
  scrape,
  startAggregator,
  waitFor,
  type OwnKafka,
  type RunningAggregator,
} from './support.js';

/** What the aggregator tests share: batches to produce, expected totals, scrapes, topics. */

/** The aggregator tests' words for the library's parser (every sample) and its sum. */
export { parseExposition as samples, sumOf as total } from '@obscost/measure';

/** An event kind as the Avro enum names it: EventKind's keys. */
export type Kind = keyof typeof EventKind;

export interface TestEvent {
  kind: Kind;
  bytes: number;
  socket?: boolean;
  pid?: number;
}

export const HOST = 'test-host';
export const APP_PID = 4242;

export function batch(observer: string, sequence: number, events: TestEvent[]): DecodedBatch {
  const decoded = events.map((e, i) =>
    decodedEvent(e.kind, e.bytes, e.pid ?? APP_PID, e.socket === false ? 0 : EVENT_FLAG_SOCKET, {
      fd: 7,
      timestamp_ns: 1_000_000 + i,
    }),
  );
  return decodedBatch(observer, sequence, decoded, {
    host: HOST,
    processes: [{ pid: APP_PID, name: 'obscost-app' }],
  });
}

const KINDS = Object.keys(EventKind) as Kind[];

/** A varied batch: every kind, sizes across the histogram's buckets, `n` events. */
export function variedEvents(n: number, seed: number): TestEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: KINDS[(i + seed) % KINDS.length] as Kind,
    bytes: ((i * 7919 + seed) % 5000) + 1,
    socket: (i + seed) % 3 !== 0,
  }));
}

/** The seed's families: write and writev both count as writes. */
const FAMILY: Record<Kind, EventFamily> = {
  WRITE: 'write',
  WRITEV: 'write',
  TCP_SEND: 'tcp_send',
  UPROBE: 'uprobe',
};

/** The totals an exact aggregator must export, computed independently of it. */
export function expectedTotals(batches: DecodedBatch[]): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (key: string, value: number): void => {
    totals.set(key, (totals.get(key) ?? 0) + value);
  };
  for (const b of batches) {
    for (const e of b.events) {
      const names = EVENT_METRICS[FAMILY[e.kind as Kind]];
      add(names.events, 1);
      add(names.bytes, e.bytes);
    }
  }
  return totals;
}

/** Every aggregator's metrics; one that exited fails the scrape with what it printed. */
export async function scrapeAll(aggregators: RunningAggregator[]): Promise<string> {
  const exited = aggregators.find((a) => !a.running);
  if (exited) throw new Error(`the aggregator exited:\n${exited.output()}`);
  return (await Promise.all(aggregators.map((a) => scrape(a.url)))).join('\n');
}

/** The counters that must be exact: every family's events and bytes. */
export const EXACT_NAMES: string[] = Object.values(EVENT_METRICS).flatMap((names) => [
  names.events,
  names.bytes,
]);

export function assertExact(exposition: string, expected: Map<string, number>): void {
  for (const name of EXACT_NAMES) {
    assert.equal(sumOf(exposition, name), expected.get(name) ?? 0, name);
  }
}

/** Every exact counter's sample by name and labels, for comparing scrapes. */
export function seriesValues(exposition: string): Map<string, number> {
  return new Map(
    parseExposition(exposition)
      .filter((s) => EXACT_NAMES.includes(s.name))
      .map((s) => [`${s.name}${JSON.stringify(s.labels)}`, s.value]),
  );
}

export interface Topic {
  topic: string;
  dlq: string;
  args: string[];
  /** Creates both topics: newTopic does unless told `created: false`. */
  create(): Promise<void>;
  produce(records: { partition: number; value: Buffer; key?: string }[]): Promise<void>;
}

let topicCount = 0;

/** A fresh events topic and dead-letter topic on `kafka`, and the aggregator flags for them. */
export async function newTopic(
  kafka: OwnKafka,
  partitions: number,
  { created = true }: { created?: boolean } = {},
): Promise<Topic> {
  const topic = `agg-test-${process.pid}-${++topicCount}`;
  const dlq = `${topic}.dlq`;
  const client = kafkaClient(kafka.config, 'aggregator-test');
  const create = async (): Promise<void> => {
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          { topic, numPartitions: partitions, replicationFactor: 1 },
          { topic: dlq, numPartitions: 1, replicationFactor: 1 },
        ],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  };
  if (created) await create();
  return {
    topic,
    dlq,
    create,
    args: [
      '--kafka-brokers',
      kafka.brokers,
      '--topic',
      topic,
      '--dlq-topic',
      dlq,
      '--group',
      `${topic}-group`,
    ],
    async produce(records) {
      const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        for (let i = 0; i < records.length; i += 50) {
          await producer.send({ topic, acks: -1, messages: records.slice(i, i + 50) });
        }
      } finally {
        await producer.disconnect();
      }
    },
  };
}

/** Starts an aggregator, stopped when `t` ends. */
export async function aggregator(
  t: TestContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningAggregator> {
  const running = await startAggregator(args, env);
  t.after(() => running.stop());
  return running;
}

/** Waits until the aggregators together have counted `records` records. */
export async function waitForRecords(
  aggregators: RunningAggregator[],
  records: number,
  timeoutMs = 60_000,
): Promise<string> {
  let exposition = '';
  await waitFor(
    `${records} records counted`,
    async () => {
      exposition = await scrapeAll(aggregators);
      return sumOf(exposition, 'aggregator_records_total') === records;
    },
    timeoutMs,
  );
  return exposition;
}

/** The `obscost.reason` header of the first `count` records of the dead-letter topic. */
export async function readDeadLetters(
  kafka: OwnKafka,
  dlq: string,
  count: number,
): Promise<string[]> {
  const consumer = kafkaClient(kafka.config, 'aggregator-test').consumer({
    groupId: `${dlq}-reader`,
  });
  const reasons: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        reasons.push(String(message.headers?.['obscost.reason']));
        return Promise.resolve();
      },
    });
    await waitFor(`${count} dead letters`, () => reasons.length >= count, 20_000);
  } finally {
    await consumer.disconnect();
  }
  return reasons;
}
