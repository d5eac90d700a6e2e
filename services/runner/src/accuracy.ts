import { sleep } from '@obscost/process';
import type { Accuracy, Approach, Comparability } from '@obscost/report';

/** Why a measure does not mean what the truth means, by measure: it is shown, never judged. */
export type NotComparable = Comparability;

/** What one approach counted, read from its own endpoint or output. */
export interface Counted {
  requests?: number;
  bytes?: number;
  /** Where it was read, for the report. */
  source: string;
  /** eBPF approaches: the observer's count, before Kafka and the aggregator. */
  observer?: { requests?: number; bytes?: number };
  /**
   * The measures that count something else than the truth on this service, each with why:
   * reported with their counts, never judged exact or inexact, never waited for.
   */
  notComparable?: NotComparable;
  /**
   * A count of bytes that sees only some of the calls a service can send with. Its bytes are
   * not comparable (`why`) in a round where `witness`, which sees every byte sent, counted the
   * truth's bytes and this counted fewer: measured in the round, not guessed from the runtime.
   */
  someCalls?: { witness: Approach; why: string };
}

export type Counts = Partial<Record<Approach, Counted>>;

/** The truth: what the load generator received, over every run against one app. */
export interface Truth {
  requests: number;
  bytes: number;
}

/** The reasons the runner gives, one sentence each, shown as they are by the report. */
export const NOT_COMPARABLE_BECAUSE = {
  markerArgument: "the marker's argument is the service's own measure, not bytes on the wire",
  logBytes:
    "the log's bytes are the service's own measure (the Common Log Format's: the body's size), " +
    'not the response on the wire',
  writeCalls:
    'write and writev calls: one a response only where the service writes each response whole',
  sentOtherwise:
    'the TCP probe saw every byte sent and write/writev fewer: the service sends the rest with ' +
    'calls this probe does not trace (send, sendto, sendmsg)',
} as const;

/** Each count as judged in this round: `someCalls` turned into a reason where it applies. */
export function withComparability(counts: Counts, truth: Truth): Counts {
  return Object.fromEntries(
    Object.entries(counts).map(([approach, counted]) => {
      const partial = counted.someCalls;
      const witness = partial === undefined ? undefined : counts[partial.witness];
      const sentOtherwise =
        partial !== undefined &&
        witness?.bytes === truth.bytes &&
        counted.bytes !== undefined &&
        counted.bytes < truth.bytes;
      return [
        approach,
        sentOtherwise
          ? { ...counted, notComparable: { ...counted.notComparable, bytes: partial.why } }
          : counted,
      ];
    }),
  );
}

/** Whether a count equals the truth in every measure it is compared by. */
function matches(counted: Counted, truth: Truth): boolean {
  const skip = counted.notComparable ?? {};
  return (
    (counted.requests === undefined ||
      skip.requests !== undefined ||
      counted.requests === truth.requests) &&
    (counted.bytes === undefined || skip.bytes !== undefined || counted.bytes === truth.bytes)
  );
}

/** How long `settle` waits, and what ends it early. */
export interface SettleOptions {
  quietMs?: number;
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads the counts until they have settled: every approach equal to the truth, or nothing
 * changed for `quietMs` (an approach that lost part of the truth stays short), or `timeoutMs`
 * passed. `quietMs` outlasts the slowest pipeline's flush interval (the SDK's span batches go
 * every 5 s), so a count still on its way is waited for. A measure not comparable is not
 * waited for; one that `someCalls` may make so is, until quiet: its witness and it reach
 * their totals in separate batches, and only settled counts tell the service's calls apart
 * from a batch still on its way. An abort ends the wait at once.
 */
export async function settle(
  read: () => Promise<Counts>,
  truth: Truth,
  { quietMs = 7_000, timeoutMs = 60_000, intervalMs = 500, signal }: SettleOptions = {},
): Promise<Counts> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let changedAt = Date.now();
  for (;;) {
    const all = Object.values(last);
    if (all.every((counted) => matches(counted, truth))) return last;
    if (Date.now() - changedAt >= quietMs || Date.now() >= deadline || signal?.aborted === true) {
      return last;
    }
    await sleep(intervalMs);
    const next = await read();
    if (JSON.stringify(next) !== JSON.stringify(last)) changedAt = Date.now();
    last = next;
  }
}

function compared(counted: number, truth: number) {
  return { counted, truth, exact: counted === truth };
}

/**
 * Each approach's count against the truth, as the report shows it. A measure not comparable
 * keeps its count and the bare equality in `exact`; `not_comparable` says why it is no verdict.
 */
export function accuracyOf(counts: Counts, truth: Truth): Partial<Record<Approach, Accuracy>> {
  const result: Partial<Record<Approach, Accuracy>> = {};
  const judged = withComparability(counts, truth);
  for (const [approach, counted] of Object.entries(judged) as [Approach, Counted][]) {
    const unit = counted.requests === undefined ? 'bytes' : 'requests';
    const main =
      unit === 'requests'
        ? compared(counted.requests ?? 0, truth.requests)
        : compared(counted.bytes ?? 0, truth.bytes);
    const observer = counted.observer;
    const notComparable = counted.notComparable ?? {};
    result[approach] = {
      unit,
      ...main,
      source: counted.source,
      ...(unit === 'requests' && counted.bytes !== undefined
        ? { bytes: compared(counted.bytes, truth.bytes) }
        : {}),
      ...(observer === undefined
        ? {}
        : {
            observer:
              unit === 'requests'
                ? compared(observer.requests ?? 0, truth.requests)
                : compared(observer.bytes ?? 0, truth.bytes),
          }),
      ...(Object.keys(notComparable).length === 0 ? {} : { not_comparable: notComparable }),
    };
  }
  return result;
}
