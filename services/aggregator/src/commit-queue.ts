import type { PartitionState } from './partition-state.js';

/**
 * The offset commits of counted fetches, each partition's one after another, sent while the
 * next fetch is under way: kafkajs fetches again only when the fetch in hand is done, so a
 * commit awaited there leaves the consumer idle for a round trip to Kafka at every fetch.
 *
 * Exactly once still holds: every commit carries a whole state (the totals up to its
 * offset), each is sent only after the one before it on its partition was answered, and the
 * next fetch counts on the newest state counted, as kafkajs fetches after the newest offset
 * resolved; both are forgotten together, at a join, a rebalance or a restart. A failed
 * commit is superseded by the next one, which carries its totals, and is thrown at the next
 * fetch, where kafkajs handles it as it did when the commit was awaited in place.
 */
export class CommitQueue {
  /** The newest state counted per partition, committed or on its way. */
  private readonly counted = new Map<number, PartitionState>();
  private readonly tails = new Map<number, Promise<void>>();
  private failure: { error: unknown } | undefined;

  /** What the next fetch of `partition` counts on, if one of its fetches is not committed yet. */
  newest(partition: number): PartitionState | undefined {
    return this.counted.get(partition);
  }

  /**
   * Queues the commit of `next` behind its partition's previous one and returns once that
   * previous one is answered: one commit in flight and one waiting at most, so a consumer
   * that counts faster than Kafka commits waits here rather than piling up fetches.
   */
  async enqueue(
    partition: number,
    next: PartitionState,
    commit: () => Promise<void>,
  ): Promise<void> {
    this.counted.set(partition, next);
    const previous = this.tails.get(partition) ?? Promise.resolve();
    const tail = previous.then(async () => {
      try {
        await commit();
      } catch (error) {
        this.failure = { error };
      }
    });
    this.tails.set(partition, tail);
    await previous;
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure.error;
  }

  /** A join, a rebalance or a restart: kafkajs fetches from the committed offsets again. */
  forget(): void {
    this.counted.clear();
    this.tails.clear();
    this.failure = undefined;
  }

  /** Every queued commit answered: before the consumer leaves the group. */
  async settle(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
