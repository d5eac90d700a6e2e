import { performance } from 'node:perf_hooks';
import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { isRetriable } from '@obscost/errors';
import { sleep } from '@obscost/process';
import type { ClosedBatch } from './batcher.js';

export type Compression = 'none' | 'gzip';

export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  /** Every record's key: one observer's batches go to one partition, in order. */
  key: string;
  compression: Compression;
  /** Batches waiting for Kafka may hold this many bytes; past it, new batches are dropped. */
  maxBufferBytes: number;
}

export type DropReason = 'buffer_full' | 'rejected' | 'shutdown';

/**
 * One send holds at most this many bytes of records. kafkajs puts a send's messages for a
 * partition into one record batch, which the broker refuses above its max.message.bytes
 * (1 MiB by default); config.ts caps --batch-bytes below this too.
 */
export const MAX_SEND_BYTES = 512 * 1024;
const RETRY_DELAY_MS = 500;

/**
 * The broker's answers that refuse the records themselves: the only failures after which a
 * send's batches are dropped (and counted), since resending them would stall every batch
 * behind them. Other failures that kafkajs marks as not retriable (an authorization refused,
 * an unknown producer id) are about the connection, not the records: waited out like outages,
 * with the buffer's bound (and its drop count) as the limit.
 */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

function refusesRecords(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (RECORD_REFUSALS.has((e as { type?: string }).type ?? '')) return !isRetriable(err);
  }
  return false;
}

/** What the sink needs of a kafkajs producer: the real one, or a test's. */
export type SinkProducer = Pick<Producer, 'connect' | 'send' | 'disconnect'>;

/**
 * Sends closed batches to Kafka in order: one send at a time (so a retry cannot reorder
 * them), each carrying every batch waiting, up to MAX_SEND_BYTES. The producer is idempotent with
 * acks=all. While Kafka is slow or away, batches wait in a buffer bounded in bytes; a batch
 * that does not fit is dropped and its events counted. Kafka unreachable at start is the
 * same case: the sink connects when it can, buffering meanwhile.
 */
export class KafkaSink {
  readonly dropped: Record<DropReason, number> = { buffer_full: 0, rejected: 0, shutdown: 0 };
  batchesSent = 0;
  eventsSent = 0;
  lastSequenceSent = 0;
  bufferedBytes = 0;
  connected = false;
  /** Called with each send's latency, in seconds, for the produce latency histogram. */
  onSendLatency: ((seconds: number) => void) | undefined;
  private readonly queue: ClosedBatch[] = [];
  private readonly producer: SinkProducer;
  private running = true;
  private wake: (() => void) | undefined;
  private readonly pumping: Promise<void>;
  private lastError = '';

  constructor(
    private readonly options: KafkaSinkOptions,
    private readonly log: (line: string) => void,
    producer?: SinkProducer,
  ) {
    this.producer =
      producer ??
      new Kafka({
        clientId: `obscost-observer-${options.key}`,
        brokers: options.brokers,
        logLevel: logLevel.NOTHING,
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
      }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.pumping = this.pump();
  }

  enqueue(batch: ClosedBatch): void {
    if (!this.running || this.bufferedBytes + batch.record.length > this.options.maxBufferBytes) {
      this.dropped[this.running ? 'buffer_full' : 'shutdown'] += batch.events;
      return;
    }
    this.queue.push(batch);
    this.bufferedBytes += batch.record.length;
    this.wake?.();
  }

  /** Sends what is buffered, for at most `timeoutMs`; what is left is counted as dropped. */
  async close(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.queue.length > 0 && performance.now() < deadline) await sleep(10);
    this.running = false;
    this.wake?.();
    for (const batch of this.queue.splice(0)) this.dropped.shutdown += batch.events;
    this.bufferedBytes = 0;
    await Promise.race([this.pumping, sleep(Math.max(0, deadline - performance.now()))]);
    await this.producer.disconnect().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    while (this.running) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      if (!this.connected && !(await this.connect())) continue;
      try {
        await this.sendWaiting();
      } catch (err) {
        if (refusesRecords(err)) this.dropHead(err as Error);
        else await this.outage(err as Error);
      }
    }
  }

  /** Connects, or waits a little after an outage: failing to connect never drops a batch. */
  private async connect(): Promise<boolean> {
    try {
      await this.producer.connect();
    } catch (err) {
      await this.outage(err as Error);
      return false;
    }
    this.connected = true;
    this.report('connected to Kafka');
    return true;
  }

  private async outage(err: Error): Promise<void> {
    this.connected = false;
    this.report(`Kafka unavailable, buffering (${err.message})`);
    await this.producer.disconnect().catch(() => undefined);
    await sleep(RETRY_DELAY_MS);
  }

  /** The batches of the next send: every one waiting, up to MAX_SEND_BYTES. */
  private nextSend(): { count: number; bytes: number } {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.queue[count]?.record.length ?? 0;
      if (count > 0 && bytes + next > MAX_SEND_BYTES) break;
      bytes += next;
      count++;
    }
    return { count, bytes };
  }

  private dropHead(err: Error): void {
    const { count, bytes } = this.nextSend();
    for (const batch of this.queue.splice(0, count)) this.dropped.rejected += batch.events;
    this.bufferedBytes -= bytes;
    this.log(`observer: Kafka refused ${count} batches, dropped: ${err.message}`);
  }

  private async sendWaiting(): Promise<void> {
    const { count, bytes } = this.nextSend();
    const batches = this.queue.slice(0, count);
    const started = performance.now();
    await this.producer.send({
      topic: this.options.topic,
      acks: -1,
      compression:
        this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: batches.map((batch) => ({ key: this.options.key, value: batch.record })),
    });
    // Closed meanwhile: these batches were already counted as dropped at shutdown.
    if (!this.running) return;
    this.onSendLatency?.((performance.now() - started) / 1000);
    this.queue.splice(0, count);
    this.bufferedBytes -= bytes;
    this.batchesSent += count;
    for (const batch of batches) this.eventsSent += batch.events;
    this.lastSequenceSent = batches[batches.length - 1]?.sequence ?? this.lastSequenceSent;
  }

  /** Logs state changes once, not every retry. */
  private report(line: string): void {
    const state = line.split(' (')[0] ?? line;
    if (state === this.lastError) return;
    this.lastError = state;
    this.log(`observer: ${line}`);
  }
}
