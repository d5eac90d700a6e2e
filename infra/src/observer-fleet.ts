import { BatchEncoder, EventKind } from '@obscost/events';
import { sleep } from '@obscost/process';
import { Partitioners, type Producer } from 'kafkajs';
import type { InfraConfig } from './config.js';
import { kafkaClient } from './kafka.js';

/**
 * Observers as Kafka sees them: each with its own id, the key of its every record, so that a
 * fleet's batches spread over the partitions as many hosts' do; numbered batches of marker
 * calls for its host, encoded as the observer encodes them (bench:scale, the aggregator-group
 * test); and the partition one observer's batches go to (bench:failover, the failover test).
 */

/** The struct event's words per event (lib/events/src/event.ts). */
const WORDS = 8;
const PROCESSES = [{ pid: 4242, name: 'obscost-app' }];

export interface FleetShape {
  hosts: string[];
  /** Observers a host, each its own key. */
  perHost: number;
  eventsPerBatch: number;
}

/**
 * The partition of a topic of `partitions` that an observer's batches go to: its id is the key
 * of its every record, and kafkajs's default partitioner picks the partition from the key.
 */
export function observerPartition(observerId: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    partitionErrorCode: 0,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));
  return Partitioners.DefaultPartitioner()({
    topic: 'any',
    partitionMetadata,
    message: { key: observerId, value: null },
  });
}

interface FleetObserver {
  readonly id: string;
  readonly host: string;
  readonly encoder: BatchEncoder;
  sequence: number;
}

export class ObserverFleet {
  /** Events each host's batches carried that Kafka acknowledged (acks=all). */
  readonly truth = new Map<string, number>();
  private readonly observers: FleetObserver[];
  private readonly words: Uint32Array;
  private readonly producer: Producer;
  private running = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    config: InfraConfig,
    private readonly topic: string,
    { hosts, perHost, eventsPerBatch }: FleetShape,
  ) {
    const incarnation = Date.now();
    this.observers = hosts.flatMap((host) =>
      Array.from({ length: perHost }, (_, i) => {
        const id = `${host}-observer-${i}`;
        return { id, host, encoder: new BatchEncoder(id, host, incarnation, 1 << 20), sequence: 0 };
      }),
    );
    this.words = new Uint32Array(eventsPerBatch * WORDS);
    for (let i = 0; i < eventsPerBatch; i++) {
      const base = i * WORDS;
      this.words[base] = 1_000_000 + i; // timestamp_ns
      this.words[base + 2] = 100 + (i % 4000); // bytes
      this.words[base + 4] = 4242; // pid
      this.words[base + 5] = 4242; // tid
      this.words[base + 6] = 17; // fd
      this.words[base + 7] = (1 << 16) | EventKind.UPROBE; // socket flag, kind
    }
    this.producer = kafkaClient(config, 'observer-fleet').producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  /** Sends `waves` waves as fast as Kafka takes them. */
  async fill(waves: number): Promise<void> {
    await this.producer.connect();
    try {
      for (let i = 0; i < waves; i++) await this.sendWave();
    } finally {
      await this.producer.disconnect();
    }
  }

  /** One wave every `intervalMs` until `stop`. */
  async start(intervalMs: number): Promise<void> {
    await this.producer.connect();
    this.running = true;
    this.done = (async () => {
      while (this.running) {
        await this.sendWave();
        await sleep(intervalMs);
      }
    })();
  }

  /** Stops after the wave in flight; a send that failed fails here. */
  async stop(): Promise<void> {
    this.running = false;
    try {
      await this.done;
    } finally {
      await this.producer.disconnect();
    }
  }

  /**
   * A batch from every observer, each numbered after its last; its events join `truth` once
   * Kafka has acknowledged it, since the tests compare the counts with what Kafka holds.
   */
  private async sendWave(): Promise<void> {
    const events = this.words.length / WORDS;
    const messages = this.observers.map((observer) => {
      for (let i = 0; i < events; i++) observer.encoder.append(this.words, i * WORDS);
      observer.sequence++;
      return { key: observer.id, value: observer.encoder.close(observer.sequence, PROCESSES) };
    });
    await this.producer.send({ topic: this.topic, acks: -1, messages });
    for (const { host } of this.observers) {
      this.truth.set(host, (this.truth.get(host) ?? 0) + events);
    }
  }
}
