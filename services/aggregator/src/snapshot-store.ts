import type { Admin, EachBatchPayload } from 'kafkajs';
import { permanentCause } from '@obscost/errors';
import { sleep } from '@obscost/process';
import type { AggregatorConfig } from './config.js';
import { AggregatorError } from './errors.js';
import { PartitionState } from './partition-state.js';
import { decodeSnapshot, encodeSnapshot, OBSERVER_TTL_MS } from './snapshot-codec.js';

/**
 * kafkajs writes offset metadata as a protocol string, with a 16-bit length: a longer
 * snapshot cannot be sent at all, whatever the broker's offset.metadata.max.bytes allows.
 */
export const MAX_SNAPSHOT_BYTES = 32_767;

const RETRY_DELAY_MS = 1000;

/** Why a commit failed, when the broker refuses the totals carried with the offset. */
function describeCommitFailure(err: unknown): unknown {
  const { type } = err as { type?: string };
  if (type === 'OFFSET_METADATA_TOO_LARGE') {
    return new AggregatorError(
      'AGG_METADATA_REFUSED',
      "the broker refused the partition's totals as offset metadata: raise the broker's " +
        `offset.metadata.max.bytes to ${MAX_SNAPSHOT_BYTES + 1} (infra/kafka/server.properties does)`,
      { cause: err },
    );
  }
  return err;
}

/**
 * Where the partition states live in Kafka: each one is the metadata of its partition's
 * committed offset, so totals and position are written by one commit and read back together.
 */
export class SnapshotStore {
  /** Partitions whose totals had to shrink to fit a commit: each is told once. */
  private readonly shrunk = new Set<number>();

  constructor(
    private readonly config: AggregatorConfig,
    private readonly log: (line: string) => void,
  ) {}

  /** A new group asked to start at a time gets its first offsets set before it joins. */
  async startNewGroupAtTimestamp(admin: Admin): Promise<void> {
    const { start, groupId, topic } = this.config;
    if (start.from !== 'timestamp') return;
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (committed?.partitions.some(({ offset }) => offset !== '-1')) return;
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, start.timestampMs);
    try {
      await admin.setOffsets({ groupId, topic, partitions: offsets });
    } catch (err) {
      // Kafka refuses while the group has members: another instance started it already.
      this.log(`--from-timestamp not applied: ${(err as Error).message}`);
    }
  }

  /**
   * Reads the owned partitions' states back from their committed offsets' metadata, trying
   * again while Kafka does not answer and `wanted()` holds (no newer join made this one moot).
   */
  async load(
    admin: () => Admin | undefined,
    partitions: number[],
    wanted: () => boolean,
  ): Promise<Map<number, PartitionState>> {
    for (;;) {
      try {
        return await this.loadOnce(admin(), partitions);
      } catch (err) {
        if (permanentCause(err) !== undefined || !wanted()) throw err;
        await sleep(RETRY_DELAY_MS);
      }
    }
  }

  private async loadOnce(
    admin: Admin | undefined,
    partitions: number[],
  ): Promise<Map<number, PartitionState>> {
    const { groupId, topic, pidAttribute, maxSeries } = this.config;
    if (admin === undefined) {
      throw new AggregatorError('AGG_NOT_CONNECTED', 'not connected to Kafka');
    }
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const states = new Map<number, PartitionState>();
    for (const partition of partitions) {
      const entry = committed?.partitions.find((p) => p.partition === partition);
      const offset = Number(entry?.offset ?? -1);
      let state = new PartitionState(pidAttribute, maxSeries);
      if (entry?.metadata) {
        try {
          state = decodeSnapshot(entry.metadata, pidAttribute, maxSeries);
        } catch (err) {
          throw new AggregatorError(
            'AGG_FOREIGN_OFFSETS',
            `the offset of partition ${partition} committed by group ${groupId} carries no ` +
              `aggregator totals (${(err as Error).message}): start a new --group`,
            { cause: err },
          );
        }
      }
      if (offset >= 0 && !entry?.metadata && this.config.start.from === 'beginning') {
        this.log(
          `partition ${partition}: the committed offset ${offset} carries no totals ` +
            '(reset by another tool?): counting from zero there',
        );
      }
      if (offset >= 0) state.nextOffset = offset;
      states.set(partition, state);
    }
    return states;
  }

  /**
   * Commits `state` as the metadata of its partition's offset. kafkajs sends the group
   * generation with it, so an instance that lost the partition in a rebalance is refused.
   */
  async commit(payload: EachBatchPayload, state: PartitionState): Promise<void> {
    const { batch } = payload;
    state.forgetSilentRuns(OBSERVER_TTL_MS);
    let snapshot = encodeSnapshot(state);
    while (snapshot.length > MAX_SNAPSHOT_BYTES && state.shrink()) {
      if (!this.shrunk.has(batch.partition)) {
        this.shrunk.add(batch.partition);
        this.log(
          `partition ${batch.partition}: its totals took ${snapshot.length} bytes, over the ` +
            `${MAX_SNAPSHOT_BYTES} an offset commit carries: fewer series kept, the rest ` +
            'counted under _overflow (aggregator_overflow_events_total)',
        );
      }
      snapshot = encodeSnapshot(state);
    }
    if (snapshot.length > MAX_SNAPSHOT_BYTES) {
      throw new AggregatorError(
        'AGG_SNAPSHOT_TOO_LARGE',
        `partition ${batch.partition}'s totals take ${snapshot.length} bytes even at the ` +
          `lowest series limit, over the ${MAX_SNAPSHOT_BYTES} an offset commit can carry`,
      );
    }
    // kafkajs passes `metadata` on to the OffsetCommit request, though its types omit it.
    const committed = {
      partition: batch.partition,
      offset: String(state.nextOffset),
      metadata: snapshot,
    };
    try {
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [committed] }],
      });
    } catch (err) {
      throw describeCommitFailure(err);
    }
  }
}
