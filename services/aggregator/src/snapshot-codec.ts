import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AggregatorError } from './errors.js';
import type { PartitionData } from './partition-data.js';
import { PartitionState } from './partition-state.js';

/** Runs of observers silent this long (by Kafka timestamps) before the newest batch are forgotten. */
export const OBSERVER_TTL_MS = 24 * 3_600_000;

const VERSION = 2;

type Snapshot = PartitionData & { version: typeof VERSION };

/**
 * Version 1, before observer incarnations: one run per observer id (read as incarnation 0),
 * no restarts or stale batches counted, nothing forgotten through an incarnation.
 */
interface SnapshotV1 extends Omit<
  PartitionData,
  'observers' | 'forgottenThrough' | 'overflowEvents' | 'sequences'
> {
  version: 1;
  sequences: Record<string, { gaps: number; duplicates: number }>;
  observers: [string, number, number][];
}

/** A partition state as offset metadata: versioned JSON, deflated, base64. */
export function encodeSnapshot(state: PartitionState): string {
  const snapshot: Snapshot = { version: VERSION, ...state.toData() };
  return deflateRawSync(JSON.stringify(snapshot)).toString('base64');
}

/**
 * Reads what encodeSnapshot wrote, or a version-1 snapshot, into a state of these
 * PartitionState parameters; throws on anything else.
 */
export function decodeSnapshot(text: string, withPid: boolean, maxSeries?: number): PartitionState {
  const snapshot = JSON.parse(inflateRawSync(Buffer.from(text, 'base64')).toString('utf8')) as
    Snapshot | SnapshotV1;
  if (snapshot.version === VERSION) return PartitionState.fromData(snapshot, withPid, maxSeries);
  if ((snapshot.version as number) === 1) {
    return PartitionState.fromData(fromV1(snapshot), withPid, maxSeries);
  }
  throw new AggregatorError(
    'AGG_SNAPSHOT_VERSION',
    `unknown snapshot version ${String((snapshot as { version: unknown }).version)}`,
  );
}

function fromV1(snapshot: SnapshotV1): PartitionData {
  return {
    ...snapshot,
    sequences: Object.fromEntries(
      Object.entries(snapshot.sequences).map(([host, counts]) => [
        host,
        { ...counts, restarts: 0, stale: 0 },
      ]),
    ),
    forgottenThrough: -1,
    overflowEvents: 0,
    observers: snapshot.observers.map(([id, sequence, seenAtMs]) => [id, 0, sequence, seenAtMs]),
  };
}
