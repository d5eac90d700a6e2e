import { sleep } from '@obscost/process';
import type { Accuracy, Approach } from '@obscost/report';

/** What one approach counted, read from its own endpoint or output. */
export interface Counted {
  requests?: number;
  bytes?: number;
  /** Where it was read, for the report. */
  source: string;
  /** eBPF approaches: the observer's count, before Kafka and the aggregator. */
  observer?: { requests?: number; bytes?: number };
}

export type Counts = Partial<Record<Approach, Counted>>;

/** The truth: what the load generator received, over every run against one app. */
export interface Truth {
  requests: number;
  bytes: number;
}

function matches(counted: Counted, truth: Truth): boolean {
  return (
    (counted.requests === undefined || counted.requests === truth.requests) &&
    (counted.bytes === undefined || counted.bytes === truth.bytes)
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
 * every 5 s), so a count still on its way is waited for. An abort ends the wait at once.
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

/** Each approach's count against the truth, as the report shows it. */
export function accuracyOf(counts: Counts, truth: Truth): Partial<Record<Approach, Accuracy>> {
  const result: Partial<Record<Approach, Accuracy>> = {};
  for (const [approach, counted] of Object.entries(counts) as [Approach, Counted][]) {
    const unit = counted.requests === undefined ? 'bytes' : 'requests';
    const main =
      unit === 'requests'
        ? compared(counted.requests ?? 0, truth.requests)
        : compared(counted.bytes ?? 0, truth.bytes);
    const observer = counted.observer;
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
    };
  }
  return result;
}
