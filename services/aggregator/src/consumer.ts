import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Producer,
} from 'kafkajs';
import { kafkaRefusal, permanentCause } from '@obscost/errors';
import type { AggregatorConfig } from './config.js';
import { CommitQueue } from './commit-queue.js';
import { AggregatorError } from './errors.js';
import { delayParts, FetchCounter, type CountedFetch, type DelayParts } from './fetch-counter.js';
import type { ConsumerHealth } from './health-metrics.js';
import type { PartitionState } from './partition-state.js';
import { SnapshotStore } from './snapshot-store.js';

const RECONNECT_DELAY_MS = 1000;

export interface AggregatorEvents {
  log(line: string): void;
  /** No restart can cure `err`: the aggregator stops with it. */
  fatal(err: unknown): void;
}

/**
 * Consumes event batches from Kafka and keeps, per owned input partition, the totals they
 * add up to. Exactly once: each fetch is counted into a copy of the partition's state, the
 * copy travels as the metadata of the offset commit that follows it (sent while the next
 * fetch is under way: CommitQueue), and only a commit the group coordinator accepted makes
 * it the exported state. The commit carries the group generation, so an instance that lost
 * the partition in a rebalance cannot commit over its new owner; after any rejoin, every
 * owned partition's state is read back from the committed offsets, so what was counted but
 * not committed is counted again, once.
 */
export class EventConsumer {
  /** Called when a batch from this host is committed, with its oldest event's delay in s. */
  onDelay: ((seconds: number) => void) | undefined;
  /** The same delay's parts, for bench:aggregate: when the batch was sent, fetched, committed. */
  onDelayParts: ((parts: DelayParts) => void) | undefined;
  private states = new Map<number, PartitionState>();
  private readonly lag = new Map<number, number>();
  private deadLetters = 0;
  private commits = 0;
  private connected = false;
  private generation = 0;
  private loaded: Promise<void> = Promise.resolve();
  private running = true;
  private readonly kafka: Kafka;
  private readonly store: SnapshotStore;
  private readonly counter: FetchCounter;
  private readonly commitQueue = new CommitQueue();
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly config: AggregatorConfig,
    private readonly events: AggregatorEvents,
  ) {
    this.kafka = new Kafka({
      clientId: `obscost-aggregator-${config.instanceId}`,
      brokers: config.brokers,
      ...config.security,
      logLevel: logLevel.NOTHING,
      retry: {
        retries: 5,
        initialRetryTime: 200,
        maxRetryTime: 2000,
        restartOnFailure: (err) => Promise.resolve(permanentCause(err) === undefined),
      },
    });
    this.store = new SnapshotStore(config, (line) => {
      events.log(line);
    });
    this.counter = new FetchCounter(config, () => this.producer);
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
        const permanent = permanentCause(err);
        if (permanent) throw permanent;
        const refused = kafkaRefusal(err);
        if (refused) throw new AggregatorError('AGG_KAFKA_REFUSED', refused, { cause: err });
        await this.disconnect();
        if (!waitingSaid) {
          this.events.log(
            `waiting for Kafka at ${this.config.brokers.join(',')}: ${(err as Error).message}`,
          );
          waitingSaid = true;
        }
        // Not lib/process's sleep: stop() must be able to cut this wait short.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, RECONNECT_DELAY_MS);
        });
      }
    }
  }

  /** A getter, so that a check after an await is not narrowed away by the loop's condition. */
  private get stopped(): boolean {
    return !this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const { groupId, topic, dlqTopic } = this.config;
    const admin = this.kafka.admin();
    this.admin = admin;
    await admin.connect();
    // Subscribed to a topic that does not exist, kafkajs consumes nothing and says nothing.
    const existing = new Set(await admin.listTopics());
    const missing = [topic, dlqTopic].filter((name) => !existing.has(name));
    if (missing.length > 0) {
      throw new AggregatorError(
        'AGG_NO_TOPIC',
        `topic ${missing.join(' and ')} does not exist (npm run infra -- up creates the ` +
          "project's topics): waiting for it",
      );
    }
    await this.store.startNewGroupAtTimestamp(admin);
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
      this.commitQueue.forget();
      this.connected = true;
      this.loaded = this.load(payload.memberAssignment[topic] ?? [], this.generation);
      // Not left for the next fetch to find: an idle partition may never fetch.
      this.loaded.catch((err: unknown) => {
        const permanent = permanentCause(err);
        if (permanent) this.events.fatal(permanent);
      });
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.forgetPartitions();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.forgetPartitions();
      const permanent = permanentCause(payload.error);
      if (permanent) this.events.fatal(permanent);
      else if (payload.restart) this.events.log(`Kafka: ${payload.error.message}; rejoining`);
      else if (payload.error.name.startsWith('KafkaJS')) void this.reconnect(payload.error);
      else this.events.fatal(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onFetch(payload),
    });
  }

  /**
   * A Kafka error kafkajs gives up on is an outage like any other (seen: "Failed to find
   * group coordinator" while a restarted broker loads its offsets): start over, waiting for
   * Kafka. Errors of our own still stop the aggregator.
   */
  private async reconnect(err: Error): Promise<void> {
    this.events.log(`Kafka: ${err.message}; reconnecting`);
    await this.disconnect();
    await this.start().catch((failure: unknown) => {
      this.events.fatal(failure);
    });
  }

  /**
   * Until the next join, this instance exports no partition: each may be moving to another
   * instance, and a partition exported by two would be counted twice in a sum over them.
   */
  private forgetPartitions(): void {
    this.connected = false;
    this.generation++;
    this.commitQueue.forget();
    this.states = new Map();
    this.lag.clear();
  }

  /**
   * The consumer first: it waits for the fetch in hand, whose dead letters need the producer.
   * Every queued commit is answered before the consumer leaves the group: one sent after
   * would be refused, and its fetch counted again by the partition's next owner.
   */
  private async disconnect(): Promise<void> {
    this.connected = false;
    await this.commitQueue.settle();
    await this.consumer?.stop().catch(() => undefined);
    await this.commitQueue.settle();
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** After a join: the owned partitions' committed states replace whatever was exported. */
  private async load(partitions: number[], generation: number): Promise<void> {
    const states = await this.store.load(
      () => this.admin,
      partitions,
      () => this.running && generation === this.generation,
    );
    if (generation !== this.generation) return;
    this.states = states;
    for (const partition of this.lag.keys()) if (!states.has(partition)) this.lag.delete(partition);
  }

  private async onFetch(payload: EachBatchPayload): Promise<void> {
    const fetchedNs = Number(process.hrtime.bigint());
    const { partition } = payload.batch;
    const generation = this.generation;
    await this.loaded;
    const base = this.commitQueue.newest(partition) ?? this.states.get(partition);
    if (base === undefined || generation !== this.generation) return;
    const counted = await this.counter.count(payload, base);
    if (counted === undefined) return;
    this.deadLetters += counted.deadLetters;
    payload.resolveOffset(String(counted.next.nextOffset - 1));
    await this.commitQueue.enqueue(partition, counted.next, () =>
      this.commit(payload, counted, generation, fetchedNs),
    );
    // Stopping: kafkajs leaves the group once this returns.
    if (!payload.isRunning()) await this.commitQueue.settle();
    await payload.heartbeat();
  }

  /** Commits a counted fetch; once Kafka took it, it is what this instance exports. */
  private async commit(
    payload: EachBatchPayload,
    counted: CountedFetch,
    generation: number,
    fetchedNs: number,
  ): Promise<void> {
    if (generation !== this.generation) return;
    try {
      await this.store.commit(payload, counted.next);
    } catch (err) {
      // Refused for a generation this instance has left: the rebalance rereads the states.
      if (generation !== this.generation) return;
      throw err;
    }
    if (generation !== this.generation) return;
    const { partition, highWatermark } = payload.batch;
    this.states.set(partition, counted.next);
    this.commits++;
    this.lag.set(partition, Math.max(0, Number(highWatermark) - counted.next.nextOffset));
    const committedNs = Number(process.hrtime.bigint());
    for (const oldest of counted.oldest) {
      this.onDelay?.((committedNs - oldest.kernelNs) / 1e9);
      this.onDelayParts?.(delayParts(oldest, fetchedNs, committedNs));
    }
  }
}
