import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AggregatorError } from './errors.js';
import { PartitionState, type PartitionData } from './partition-state.js';

/** Observers silent this long (by Kafka timestamps) before the newest batch leave the snapshot. */
export const OBSERVER_TTL_MS = 24 * 3_600_000;

const VERSION = 1;

type Snapshot = PartitionData & { version: typeof VERSION };

/**
 * A partition state as offset metadata: versioned JSON, deflated, base64. Observers not heard
 * from for `observerTtlMs` before the newest batch are forgotten, so the snapshot stays small.
 */
export function encodeSnapshot(state: PartitionState, observerTtlMs = OBSERVER_TTL_MS): string {
  const data = state.toData();
  const newest = data.observers.reduce((max, [, , seenAtMs]) => Math.max(max, seenAtMs), 0);
  const snapshot: Snapshot = {
    version: VERSION,
    ...data,
    observers: data.observers.filter(([, , seenAtMs]) => newest - seenAtMs <= observerTtlMs),
  };
  return deflateRawSync(JSON.stringify(snapshot)).toString('base64');
}

/** Reads what encodeSnapshot wrote; throws on anything else. */
export function decodeSnapshot(text: string, withPid: boolean): PartitionState {
  const snapshot = JSON.parse(
    inflateRawSync(Buffer.from(text, 'base64')).toString('utf8'),
  ) as Snapshot;
  if ((snapshot.version as number) !== VERSION) {
    throw new AggregatorError(
      'AGG_SNAPSHOT_VERSION',
      `unknown snapshot version ${String(snapshot.version)}`,
    );
  }
  return PartitionState.fromData(snapshot, withPid);
}
