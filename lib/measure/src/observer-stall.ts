import { performance } from 'node:perf_hooks';
import { sleep } from '@obscost/process';
import { seriesValue } from './prometheus-queries.js';
import { scrape } from './scrape.js';

/**
 * How a broker's death shows from outside the observer, read from its `/metrics`: the
 * sequence of the last batch it closed (`observer_last_sequence`), of the last Kafka
 * acknowledged (`observer_last_sequence_sent`), and the bytes waiting (`observer_buffer_bytes`).
 * bench:failover and the failover test measure it the same way, here.
 */

export interface ObserverStall {
  /** The longest time with batches closed and none acknowledged, in seconds. */
  stallS: number;
  /** The most the observer's buffer held, in bytes. */
  bufferedBytes: number;
}

/** Whether Kafka has acknowledged every batch the observer at `url` has closed. */
export async function observerCaughtUp(url: string): Promise<boolean> {
  const metrics = await scrape(url);
  return (
    seriesValue(metrics, 'observer_last_sequence_sent') ===
    seriesValue(metrics, 'observer_last_sequence')
  );
}

/**
 * The stall of the observer at `url` while `work` runs: sampled every `intervalMs`, the
 * longest time it had batches closed but not acknowledged without any being acknowledged;
 * `work`'s failure is this one's, once the sampling has stopped.
 */
export async function observerStall(
  url: string,
  work: Promise<unknown>,
  intervalMs = 100,
): Promise<ObserverStall> {
  const state = { done: false };
  void work.finally(() => (state.done = true)).catch(() => undefined);
  let lastSent = -1;
  let progressAt = performance.now();
  let longest = 0;
  let bufferedBytes = 0;
  while (!state.done) {
    const metrics = await scrape(url);
    const sent = seriesValue(metrics, 'observer_last_sequence_sent');
    const closed = seriesValue(metrics, 'observer_last_sequence');
    bufferedBytes = Math.max(bufferedBytes, seriesValue(metrics, 'observer_buffer_bytes'));
    const now = performance.now();
    if (sent !== lastSent || sent === closed) progressAt = now;
    lastSent = sent;
    longest = Math.max(longest, now - progressAt);
    await sleep(intervalMs);
  }
  await work;
  return { stallS: longest / 1000, bufferedBytes };
}
