import { hostname } from 'node:os';
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
  type Message,
  type Producer,
} from 'kafkajs';
import { decodeBatch, FramingError } from '@obscost/events';
import type { AggregatorConfig } from './config.js';
import type { ConsumerHealth } from './metrics.js';
import { PartitionState } from './partition-state.js';

/** Observers silent this long (by Kafka timestamps) leave the saved state. */
const OBSERVER_TTL_MS = 24 * 3_600_000;
const RECONNECT_DELAY_MS = 1000;

/** Errors no restart can cure: the aggregator stops with the reason. */
export class FatalError extends Error {
  override name = 'FatalError';
  /** Read by kafkajs's retrier: not worth a retry. */
  readonly retriable = false;
}

/** The FatalError behind an error, through the causes kafkajs wraps errors in. */
function fatalBehind(err: unknown): FatalError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof FatalError) return e;
  return undefined;
}

/**
 * kafkajs writes offset metadata as a protocol string, with a 16-bit length: a longer
 * snapshot cannot be sent at all, whatever the broker's offset.metadata.max.bytes allows.
 */
export const MAX_SNAPSHOT_BYTES = 32_767;

/** Why a commit failed, when the broker refuses the totals carried with the offset. */
function describeCommitFailure(err: unknown): Error {
  const { type } = err as { type?: string };
  if (type === 'OFFSET_METADATA_TOO_LARGE') {
    return new FatalError(
      "the broker refused the partition's totals as offset metadata: raise the broker's " +
        `offset.metadata.max.bytes to ${MAX_SNAPSHOT_BYTES + 1} (infra/kafka/server.properties does)`,
    );
  }
  return err as Error;
}

export interface AggregatorEvents {
  log(line: string): void;
  fatal(err: Error): void;
}

/**
 * Consumes event batches from Kafka and keeps, per owned input partition, the totals they
 * add up to. Exactly once: each fetch is counted into a copy of the partition's state, the
 * copy travels as the metadata of the offset commit that follows it, and only a commit the
 * group coordinator accepted makes it the exported state. The commit carries the group
 * generation, so an instance that lost the partition in a rebalance cannot commit over its
 * new owner; after any rejoin, every owned partition's state is read back from the
 * committed offsets, so what was counted but not committed is counted again, once.
 */
export class EventConsumer {
  /** Called when a batch from this host is committed, with its oldest event's delay in s. */
  onDelay: ((seconds: number) => void) | undefined;
  private states = new Map<number, PartitionState>();
  private readonly lag = new Map<number, number>();
  private deadLetters = 0;
  private commits = 0;
  private connected = false;
  private generation = 0;
  private loaded: Promise<void> = Promise.resolve();
  private running = true;
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly localHost = hostname();
  private wake: (() => void) | undefined;

  constructor(
    private readonly config: AggregatorConfig,
    private readonly events: AggregatorEvents,
  ) {
    this.kafka = new Kafka({
      clientId: `obscost-aggregator-${config.instanceId}`,
      brokers: config.brokers,
      logLevel: logLevel.NOTHING,
      retry: {
        retries: 5,
        initialRetryTime: 200,
        maxRetryTime: 2000,
        restartOnFailure: (err) => Promise.resolve(fatalBehind(err) === undefined),
      },
    });
  }

  /** The committed totals of the partitions this instance owns. */
  partitionStates(): ReadonlyMap<number, PartitionState> {
    return this.states;
  }

  health(): ConsumerHealth {
    return {
      lag: this.lag,
      deadLetters: this.deadLetters,
      commits: this.commits,
      connected: this.connected,
    };
  }

  /** Connects, waiting for Kafka as long as it takes, and starts consuming. */
  async start(): Promise<void> {
    let waitingSaid = false;
    while (this.running) {
      try {
        await this.connect();
        // stop() came while connecting: what connect made after it is stopped here.
        if (this.stopped) await this.disconnect();
        return;
      } catch (err) {
        if (err instanceof FatalError) throw err;
        await this.disconnect();
        if (!waitingSaid) {
          this.events.log(
            `waiting for Kafka at ${this.config.brokers.join(',')}: ${(err as Error).message}`,
          );
          waitingSaid = true;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, RECONNECT_DELAY_MS);
        });
      }
    }
  }

  private get stopped(): boolean {
    return !this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const { groupId, topic } = this.config;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.startNewGroupAtTimestamp();
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxBytesPerPartition: this.config.fetchBytesPerPartition,
      maxBytes: this.config.fetchBytesPerPartition * 4,
      maxWaitTimeInMs: 50,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.generation++;
      this.connected = true;
      this.loaded = this.load(payload.memberAssignment[topic] ?? [], this.generation);
      // Not left for the next fetch to find: an idle partition may never fetch.
      this.loaded.catch((err: unknown) => {
        if (err instanceof FatalError) this.events.fatal(err);
      });
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.forgetPartitions();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.forgetPartitions();
      const fatal = fatalBehind(payload.error);
      if (fatal) this.events.fatal(fatal);
      else if (payload.restart) this.events.log(`Kafka: ${payload.error.message}; rejoining`);
      else this.events.fatal(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.countFetch(payload),
    });
  }

  /**
   * Until the next join, this instance exports no partition: each may be moving to another
   * instance, and a partition exported by two would be counted twice in a sum over them.
   */
  private forgetPartitions(): void {
    this.connected = false;
    this.generation++;
    this.states = new Map();
    this.lag.clear();
  }

  /** The consumer first: it waits for the fetch in hand, whose dead letters need the producer. */
  private async disconnect(): Promise<void> {
    this.connected = false;
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** A new group asked to start at a time gets its first offsets set before it joins. */
  private async startNewGroupAtTimestamp(): Promise<void> {
    const { start, groupId, topic } = this.config;
    const admin = this.admin;
    if (start.from !== 'timestamp' || admin === undefined) return;
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (committed?.partitions.some(({ offset }) => offset !== '-1')) return;
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, start.timestampMs);
    try {
      await admin.setOffsets({ groupId, topic, partitions: offsets });
    } catch (err) {
      // Kafka refuses while the group has members: another instance started it already.
      this.events.log(`--from-timestamp not applied: ${(err as Error).message}`);
    }
  }

  /**
   * Reads the owned partitions' states back from their committed offsets' metadata, trying
   * again while Kafka does not answer, until a newer join makes this one moot.
   */
  private async load(partitions: number[], generation: number): Promise<void> {
    for (;;) {
      try {
        await this.loadOnce(partitions, generation);
        return;
      } catch (err) {
        if (err instanceof FatalError || !this.running || generation !== this.generation) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
      }
    }
  }

  private async loadOnce(partitions: number[], generation: number): Promise<void> {
    const { groupId, topic, pidAttribute } = this.config;
    const admin = this.admin;
    if (admin === undefined) throw new Error('not connected');
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const states = new Map<number, PartitionState>();
    for (const partition of partitions) {
      const entry = committed?.partitions.find((p) => p.partition === partition);
      const offset = Number(entry?.offset ?? -1);
      let state = new PartitionState(pidAttribute);
      if (entry?.metadata) {
        try {
          state = PartitionState.fromSnapshot(entry.metadata, pidAttribute);
        } catch (err) {
          throw new FatalError(
            `the offset of partition ${partition} committed by group ${groupId} carries no ` +
              `aggregator totals (${(err as Error).message}): start a new --group`,
          );
        }
      }
      if (offset >= 0 && !entry?.metadata && this.config.start.from === 'beginning') {
        this.events.log(
          `partition ${partition}: the committed offset ${offset} carries no totals ` +
            '(reset by another tool?): counting from zero there',
        );
      }
      if (offset >= 0) state.nextOffset = offset;
      states.set(partition, state);
    }
    if (generation !== this.generation) return;
    this.states = states;
    for (const partition of this.lag.keys()) if (!states.has(partition)) this.lag.delete(partition);
  }

  private async countFetch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const generation = this.generation;
    await this.loaded;
    const committed = this.states.get(batch.partition);
    if (committed === undefined || generation !== this.generation) return;
    const next = committed.clone();
    const deadLetters: Message[] = [];
    const oldest: number[] = [];
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const offset = Number(message.offset);
      // A fetch may start before the committed offset: those records are already counted.
      if (offset < next.nextOffset) continue;
      try {
        const decoded = decodeBatch(message.value ?? Buffer.alloc(0));
        if (
          next.add(decoded, offset, Number(message.timestamp)) &&
          decoded.host === this.localHost
        ) {
          const first = decoded.events[0];
          if (first !== undefined) oldest.push(first.timestamp_ns);
        }
      } catch (err) {
        if (!(err instanceof FramingError)) throw err;
        next.reject(err.reason, offset);
        deadLetters.push(this.deadLetter(message, batch.partition, err));
      }
    }
    if (next.nextOffset === committed.nextOffset) {
      // Nothing new, but the records read past must not be fetched again.
      const last = batch.messages.at(-1);
      if (last !== undefined && Number(last.offset) < next.nextOffset) {
        payload.resolveOffset(last.offset);
      }
      return;
    }
    if (deadLetters.length > 0) {
      await this.producer?.send({ topic: this.config.dlqTopic, acks: -1, messages: deadLetters });
      this.deadLetters += deadLetters.length;
    }
    const snapshot = next.toSnapshot(OBSERVER_TTL_MS);
    if (snapshot.length > MAX_SNAPSHOT_BYTES) {
      throw new FatalError(
        `partition ${batch.partition}'s totals take ${snapshot.length} bytes, over the ` +
          `${MAX_SNAPSHOT_BYTES} an offset commit can carry: drop --pid-attribute, or spread ` +
          'the hosts over more partitions',
      );
    }
    // kafkajs passes `metadata` on to the OffsetCommit request, though its types omit it.
    const committedPartition = {
      partition: batch.partition,
      offset: String(next.nextOffset),
      metadata: snapshot,
    };
    try {
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [committedPartition] }],
      });
    } catch (err) {
      throw describeCommitFailure(err);
    }
    payload.resolveOffset(String(next.nextOffset - 1));
    if (generation !== this.generation) return;
    this.states.set(batch.partition, next);
    this.commits++;
    this.lag.set(batch.partition, Math.max(0, Number(batch.highWatermark) - next.nextOffset));
    const now = Number(process.hrtime.bigint());
    for (const timestamp of oldest) this.onDelay?.((now - timestamp) / 1e9);
    await payload.heartbeat();
  }

  private deadLetter(message: KafkaMessage, partition: number, err: FramingError): Message {
    return {
      key: message.key,
      value: message.value,
      headers: {
        'obscost.reason': err.reason,
        'obscost.error': err.message,
        'obscost.source': `${this.config.topic}/${partition}/${message.offset}`,
      },
    };
  }
}
