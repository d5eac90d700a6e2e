import { performance } from 'node:perf_hooks';
import { CompressionTypes, Kafka, logLevel, type Producer, type RecordMetadata } from 'kafkajs';
import { kafkaRefusal } from '@obscost/errors';
import type { KafkaClientSecurity } from '@obscost/flags';
import { sleep } from '@obscost/process';
import type { ClosedBatch } from './batcher.js';
import { kafkaErrorType, MISSING_TOPIC, refusesRecords, uncoveredBy } from './kafka-answers.js';

export type Compression = 'none' | 'gzip';

/**
 * Tries the producer's login once, before anything is loaded: why Kafka will never take this
 * client (a refused SASL login, an untrusted certificate), if that is the answer. Kafka away
 * is not one: the sink buffers through an outage.
 */
export async function kafkaLoginRefusal(
  brokers: string[],
  security: KafkaClientSecurity,
): Promise<string | undefined> {
  const admin = new Kafka({
    clientId: 'obscost-observer-login',
    brokers,
    ...security,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return undefined;
  } catch (err) {
    return kafkaRefusal(err);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface KafkaSinkOptions {
  brokers: string[];
  security: KafkaClientSecurity;
  topic: string;
  /** Every record's key: one observer's batches go to one partition, in order. */
  key: string;
  compression: Compression;
  /** Batches waiting for Kafka may hold this many bytes; past it, new batches are dropped. */
  maxBufferBytes: number;
}

/**
 * Why events did not reach Kafka: the buffer was full, the broker refused their records, they
 * were still waiting at shutdown, or their send was not answered by the end of --flush-timeout
 * (`unconfirmed`: Kafka may hold them or not; the observer cannot know).
 */
export type DropReason = 'buffer_full' | 'rejected' | 'shutdown' | 'unconfirmed';

/**
 * One send holds at most this many bytes of records. kafkajs puts a send's messages for a
 * partition into one record batch, which the broker refuses above its max.message.bytes
 * (1 MiB by default); config.ts caps --batch-bytes below this too.
 */
export const MAX_SEND_BYTES = 512 * 1024;
const RETRY_DELAY_MS = 500;

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
  readonly dropped: Record<DropReason, number> = {
    buffer_full: 0,
    rejected: 0,
    shutdown: 0,
    unconfirmed: 0,
  };
  batchesSent = 0;
  eventsSent = 0;
  lastSequenceSent = 0;
  /** Sends that resolved without acknowledging their partition: resent, not counted as sent. */
  unacknowledgedSends = 0;
  bufferedBytes = 0;
  connected = false;
  /** Called with each send's latency, in seconds, for the produce latency histogram. */
  onSendLatency: ((seconds: number) => void) | undefined;
  private readonly queue: ClosedBatch[] = [];
  /** The batches of the send in flight, taken off the queue's head; back on it if it fails. */
  private sending: ClosedBatch[] = [];
  /**
   * How many batches at the queue's head a failed send held: they go again as one send, alone.
   * The idempotent producer gave that send's records sequence numbers; if the broker did write
   * them, the same records again are a duplicate it acknowledges, while a send of more would be
   * out of order, which it refuses for good.
   */
  private resendCount = 0;
  private readonly producer: SinkProducer;
  private running = true;
  private wake: (() => void) | undefined;
  private readonly pumping: Promise<void>;
  private lastError = '';
  /** The partition our key maps to, from the first acknowledgement. */
  private partition: number | undefined;

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
        ...options.security,
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

  /**
   * Sends what is buffered, for at most `timeoutMs`. What never left is counted as `shutdown`;
   * a send in flight counts as sent if Kafka acknowledges it by the deadline, else `unconfirmed`.
   */
  async close(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const pending = (): boolean => this.queue.length > 0 || this.sending.length > 0;
    while (pending() && performance.now() < deadline) await sleep(10);
    this.running = false;
    this.wake?.();
    this.drop('shutdown', this.queue.splice(0));
    await Promise.race([this.pumping, sleep(Math.max(0, deadline - performance.now()))]);
    const unanswered = this.sending;
    this.sending = [];
    this.drop('unconfirmed', unanswered);
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
      await this.sendWaiting();
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
    // A topic not made yet is an outage too, but the line must say which one to make.
    this.report(
      kafkaErrorType(err, MISSING_TOPIC)
        ? `topic ${this.options.topic} does not exist (yet), buffering (${err.message})`
        : `Kafka unavailable, buffering (${err.message})`,
    );
    await this.producer.disconnect().catch(() => undefined);
    await sleep(RETRY_DELAY_MS);
  }

  /** How many batches the next send takes: a failed send's again, else every one waiting, up to MAX_SEND_BYTES. */
  private nextSendCount(): number {
    if (this.resendCount > 0) return this.resendCount;
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.queue[count]?.record.length ?? 0;
      if (count > 0 && bytes + next > MAX_SEND_BYTES) break;
      bytes += next;
      count++;
    }
    return count;
  }

  private drop(reason: DropReason, batches: readonly ClosedBatch[]): void {
    for (const batch of batches) {
      this.dropped[reason] += batch.events;
      this.bufferedBytes -= batch.record.length;
    }
  }

  /**
   * One send of the batches waiting, and its outcome counted: sent; refused for good
   * (dropped as `rejected`); failed otherwise (back at the queue's head, waited out as an
   * outage, or at shutdown counted as `shutdown`).
   */
  private async sendWaiting(): Promise<void> {
    const batches = this.queue.splice(0, this.nextSendCount());
    this.sending = batches;
    const started = performance.now();
    let failure: Error | undefined;
    try {
      const acks = await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        compression:
          this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: batches.map((batch) => ({ key: this.options.key, value: batch.record })),
      });
      failure = this.checkAcknowledged(acks);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    // Given up on at shutdown meanwhile: close() counted these as unconfirmed.
    if (this.sending !== batches) return;
    this.sending = [];
    this.resendCount = 0;
    if (failure === undefined) {
      this.onSendLatency?.((performance.now() - started) / 1000);
      this.bufferedBytes -= batches.reduce((sum, batch) => sum + batch.record.length, 0);
      this.batchesSent += batches.length;
      for (const batch of batches) this.eventsSent += batch.events;
      this.lastSequenceSent = batches[batches.length - 1]?.sequence ?? this.lastSequenceSent;
    } else if (refusesRecords(failure)) {
      this.drop('rejected', batches);
      this.log(`observer: Kafka refused ${batches.length} batches, dropped: ${failure.message}`);
    } else if (!this.running) {
      this.drop('shutdown', batches);
    } else {
      this.queue.unshift(...batches);
      this.resendCount = batches.length;
      await this.outage(failure);
    }
  }

  /** An error if the send's acknowledgements leave its records unconfirmed (uncoveredBy). */
  private checkAcknowledged(acks: readonly RecordMetadata[]): Error | undefined {
    const uncovered = uncoveredBy(acks, this.options.topic, this.partition);
    if (uncovered === undefined) {
      this.partition ??= acks.find((ack) => ack.topicName === this.options.topic)?.partition;
      return undefined;
    }
    this.unacknowledgedSends++;
    return new Error(`a send resolved unacknowledged, resending it: ${uncovered}`);
  }

  /** Logs state changes once, not every retry. */
  private report(line: string): void {
    const state = line.split(' (')[0] ?? line;
    if (state === this.lastError) return;
    this.lastError = state;
    this.log(`observer: ${line}`);
  }
}
