import { BatchEncoder, EventKind } from '@obscost/events';
import { kafkaClient, type InfraConfig } from '@obscost/infra';
import { sleep } from '@obscost/process';

/**
 * Observers as Kafka sees them, for bench:scale: each with its own id, the key of its every
 * record, so that a fleet's batches spread over the partitions; numbered batches of marker
 * calls for its host, encoded as the observer encodes them.
 */

/** The struct event's words per event (lib/events/src/event.ts). */
const WORDS = 8;
const PROCESSES = [{ pid: 4242, name: 'obscost-app' }];

interface FleetObserver {
  readonly id: string;
  readonly host: string;
  readonly encoder: BatchEncoder;
  sequence: number;
}

export class Fleet {
  /** Events each host's batches carried that Kafka acknowledged. */
  readonly truth = new Map<string, number>();
  private readonly observers: FleetObserver[];
  private readonly words: Uint32Array;
  private readonly producer: ReturnType<ReturnType<typeof kafkaClient>['producer']>;
  private running = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    config: InfraConfig,
    private readonly topic: string,
    {
      hosts,
      perHost,
      eventsPerBatch,
    }: { hosts: string[]; perHost: number; eventsPerBatch: number },
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
    this.producer = kafkaClient(config, 'bench-scale-fleet').producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  /** A batch from every observer, each numbered after its last. */
  wave(): { key: string; value: Buffer }[] {
    const events = this.words.length / WORDS;
    return this.observers.map((observer) => {
      for (let i = 0; i < events; i++) observer.encoder.append(this.words, i * WORDS);
      observer.sequence++;
      this.truth.set(observer.host, (this.truth.get(observer.host) ?? 0) + events);
      return { key: observer.id, value: observer.encoder.close(observer.sequence, PROCESSES) };
    });
  }

  /** Sends `waves` waves as fast as Kafka takes them (acks=all). */
  async fill(waves: number): Promise<void> {
    await this.producer.connect();
    try {
      for (let i = 0; i < waves; i++) {
        await this.producer.send({ topic: this.topic, acks: -1, messages: this.wave() });
      }
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
        await this.producer.send({ topic: this.topic, acks: -1, messages: this.wave() });
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
}
