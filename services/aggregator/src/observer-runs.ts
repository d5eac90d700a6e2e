import type { DecodedBatch } from '@obscost/events';
import { OVERFLOW, overflowFirst } from './state-limits.js';

/**
 * What the observers' sequence numbers said, per host: batches that never arrived or came
 * twice, observers that restarted (a new incarnation under a known id), and batches of a run
 * forgotten as silent (a replay of history already counted, not counted again).
 */
export interface SequenceCounts {
  gaps: number;
  duplicates: number;
  restarts: number;
  stale: number;
}

/** One run of an observer: its latest sequence number and the Kafka timestamp of that batch. */
export interface RunPosition {
  sequence: number;
  seenAtMs: number;
}

/**
 * The runs of the observers a partition has heard from, and what their sequence numbers said
 * per host, both bounded: past `limit` hosts, new hosts' counts go to `_overflow`; past `limit`
 * runs, the least recently heard are forgotten.
 */
export class ObserverRuns {
  readonly sequences = new Map<string, SequenceCounts>();
  /** The latest incarnation among the runs forgotten as silent; -1 before any. */
  forgottenThrough = -1;
  /** Per observer id, per incarnation: where its run is. */
  readonly runs = new Map<string, Map<number, RunPosition>>();

  constructor(private limit: number) {}

  /**
   * Whether a batch is new: sequence numbers are per run of an observer (its id and
   * incarnation), so a batch whose run already passed its sequence number is a duplicate (a
   * replay of events already counted), and a batch of a run older than those forgotten as
   * silent is stale; each is counted against its host. A new batch moves its run on.
   */
  admit(batch: DecodedBatch, timestampMs: number): boolean {
    const counts = this.sequenceCounts(batch.host);
    let runs = this.runs.get(batch.observer_id);
    const last = runs?.get(batch.incarnation);
    if (last === undefined && batch.incarnation <= this.forgottenThrough) {
      counts.stale++;
      return false;
    }
    if (last !== undefined && batch.sequence <= last.sequence) {
      counts.duplicates++;
      return false;
    }
    // A run seen for the first time may have started before the topic's retention or a
    // rebuild's start: only a jump after a known sequence is a gap.
    if (last !== undefined) counts.gaps += batch.sequence - last.sequence - 1;
    if (runs === undefined) {
      runs = new Map();
      this.runs.set(batch.observer_id, runs);
    } else if (last === undefined && batch.incarnation > Math.max(...runs.keys())) {
      counts.restarts++;
    }
    runs.set(batch.incarnation, { sequence: batch.sequence, seenAtMs: timestampMs });
    return true;
  }

  /**
   * Forgets the runs not heard from for `ttlMs` before the newest batch (by Kafka timestamps),
   * and past the limit the least recently heard, so the state stays small; a later batch of a
   * run forgotten is then stale, not counted twice.
   */
  forgetSilent(ttlMs: number): void {
    const runs = [...this.runs].flatMap(([id, byIncarnation]) =>
      [...byIncarnation].map(([incarnation, { seenAtMs }]) => ({ id, incarnation, seenAtMs })),
    );
    const newest = runs.reduce((max, run) => Math.max(max, run.seenAtMs), 0);
    runs.sort((a, b) => a.seenAtMs - b.seenAtMs);
    runs.forEach((run, index) => {
      if (newest - run.seenAtMs <= ttlMs && runs.length - index <= this.limit) return;
      const byIncarnation = this.runs.get(run.id);
      byIncarnation?.delete(run.incarnation);
      if (byIncarnation?.size === 0) this.runs.delete(run.id);
      this.forgottenThrough = Math.max(this.forgottenThrough, run.incarnation);
    });
  }

  /** Lowers the limit: the hosts past it folded into `_overflow`, the runs past it forgotten. */
  shrink(limit: number): void {
    this.limit = limit;
    const hosts = [...this.sequences];
    this.sequences.clear();
    for (const [host, counts] of hosts.sort(overflowFirst)) {
      if (host === OVERFLOW || this.sequences.size < this.limit) {
        this.sequences.set(host, counts);
        continue;
      }
      const into = this.sequenceCounts(host);
      into.gaps += counts.gaps;
      into.duplicates += counts.duplicates;
      into.restarts += counts.restarts;
      into.stale += counts.stale;
    }
    this.forgetSilent(Infinity);
  }

  /** Where a run is, as read back from a snapshot. */
  restore(id: string, incarnation: number, position: RunPosition): void {
    let runs = this.runs.get(id);
    if (runs === undefined) {
      runs = new Map();
      this.runs.set(id, runs);
    }
    runs.set(incarnation, position);
  }

  private sequenceCounts(host: string): SequenceCounts {
    let counts = this.sequences.get(host);
    if (counts === undefined && this.sequences.size >= this.limit && host !== OVERFLOW) {
      return this.sequenceCounts(OVERFLOW);
    }
    if (counts === undefined) {
      counts = { gaps: 0, duplicates: 0, restarts: 0, stale: 0 };
      this.sequences.set(host, counts);
    }
    return counts;
  }
}
