/**
 * vegeta's own schedule, read from its results: each hit's `seq` (its slot) and `timestamp`
 * (when it was sent). vegeta reports latency from the send, leaving its own lag out; our
 * bench measures from the due time, its lag in. Slot k is due k / rate after the schedule's
 * origin, which the results do not give: the origin taken is the one under which the
 * earliest hit was on time, so every lag is at least 0 and at most the true one.
 */

export interface ScheduleFigures {
  /** Send time - due time, in ms. */
  lag: { p50: number; p99: number };
  /** Lag + latency: the latency measured from the due time, as our bench measures it. */
  fromDue: { p50: number; p99: number };
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.min(rank, sorted.length - 1)] ?? NaN;
}

/**
 * The figures from `vegeta encode --to csv` of a run at `rate`. Columns: timestamp (Unix ns),
 * code, latency (ns), bytes out, bytes in, error, body (base64), attack, seq, ... A run with
 * an error is refused before this is read, so no field holds a quoted comma.
 */
export function vegetaSchedule(csv: string, rate: number): ScheduleFigures {
  const hits = csv
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const fields = line.split(',');
      return {
        sentNs: BigInt(fields[0] ?? '0'),
        latencyMs: Number(fields[2]) / 1e6,
        seq: Number(fields[8]),
      };
    });
  const first = hits[0];
  if (first === undefined) throw new Error('vegeta: no hit in the results');
  const intervalMs = 1000 / rate;
  // Each hit's send time less its slot's offset: its due time plus its lag.
  const late = hits.map((hit) => Number(hit.sentNs - first.sentNs) / 1e6 - hit.seq * intervalMs);
  const origin = late.reduce((min, value) => Math.min(min, value), Infinity);
  const lags: number[] = [];
  const fromDue: number[] = [];
  hits.forEach((hit, i) => {
    const lag = (late[i] ?? origin) - origin;
    lags.push(lag);
    fromDue.push(lag + hit.latencyMs);
  });
  lags.sort((a, b) => a - b);
  fromDue.sort((a, b) => a - b);
  return {
    lag: { p50: percentile(lags, 50), p99: percentile(lags, 99) },
    fromDue: { p50: percentile(fromDue, 50), p99: percentile(fromDue, 99) },
  };
}
