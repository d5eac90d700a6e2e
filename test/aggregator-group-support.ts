import { EVENT_METRICS } from '@obscost/events';
import { parseExposition } from '@obscost/measure';
import { sleep } from '@obscost/process';
import { scrape, type RunningAggregator } from './support.js';

/** What the group tests count: each host's marker calls, exactly. */
export const CALLS = EVENT_METRICS.uprobe.events;

/** One look at every live aggregator: each host's total, or undefined if a partition was missing. */
export interface Sample {
  readonly at: number;
  readonly totals: ReadonlyMap<string, number> | undefined;
}

/**
 * Samples the live aggregators every few milliseconds. Every series carries its partition and
 * is exported by its owner alone, from the committed state: a series must never go down, even
 * as its partition moves. During a rebalance a partition is exported by none; a sample in
 * which a partition seen before is missing has no totals.
 */
export class GroupSampler {
  readonly samples: Sample[] = [];
  /** Series seen lower than before: each a failure of exactness. */
  readonly regressions: string[] = [];
  private readonly highest = new Map<string, number>();
  private readonly partitions = new Set<string>();
  private running = true;
  private readonly done: Promise<void>;

  constructor(live: () => RunningAggregator[], intervalMs = 50) {
    this.done = (async () => {
      while (this.running) {
        await this.sample(live());
        await sleep(intervalMs);
      }
    })();
  }

  private async sample(aggregators: RunningAggregator[]): Promise<void> {
    const at = Date.now();
    const texts = await Promise.all(aggregators.map((a) => scrape(a.url).catch(() => undefined)));
    const seen = new Set<string>();
    const totals = new Map<string, number>();
    for (const text of texts) {
      for (const s of parseExposition(text ?? '')) {
        if (s.name !== CALLS) continue;
        const key = JSON.stringify(s.labels);
        if ((this.highest.get(key) ?? 0) > s.value) {
          this.regressions.push(`${key}: ${this.highest.get(key)} then ${s.value}`);
        }
        this.highest.set(key, Math.max(s.value, this.highest.get(key) ?? 0));
        seen.add(s.labels.partition ?? '');
        totals.set(s.labels.host ?? '', (totals.get(s.labels.host ?? '') ?? 0) + s.value);
      }
    }
    const complete = !texts.includes(undefined) && [...this.partitions].every((p) => seen.has(p));
    for (const p of seen) this.partitions.add(p);
    this.samples.push({ at, totals: complete ? totals : undefined });
  }

  /** When the last complete sample above every one before it was taken; 0 before any. */
  lastRise(): number {
    const sum = (totals: ReadonlyMap<string, number>): number =>
      [...totals.values()].reduce((a, b) => a + b, 0);
    let highest = -1;
    let at = 0;
    for (const sample of this.samples) {
      if (sample.totals !== undefined && sum(sample.totals) > highest) {
        highest = sum(sample.totals);
        at = sample.at;
      }
    }
    return at;
  }

  /**
   * How long counting held up between `from` and `to`: the longest time, from the last count
   * before `from`, between one complete sample above all before it and the next.
   */
  longestHold(from: number, to: number): number {
    const sum = (totals: ReadonlyMap<string, number>): number =>
      [...totals.values()].reduce((a, b) => a + b, 0);
    let highest = -1;
    let lastCount: number | undefined;
    let longest = 0;
    for (const { at, totals } of this.samples) {
      if (at > to) break;
      if (totals === undefined || sum(totals) <= highest) continue;
      highest = sum(totals);
      if (at >= from && lastCount !== undefined) longest = Math.max(longest, at - lastCount);
      lastCount = at;
    }
    return longest;
  }

  /** Hosts whose total, over complete samples in order, went down: none, if exact. */
  decreases(): string[] {
    const last = new Map<string, number>();
    const found: string[] = [];
    for (const { at, totals } of this.samples) {
      for (const [host, value] of totals ?? []) {
        if (value < (last.get(host) ?? 0))
          found.push(`${host} at ${at}: ${last.get(host)} then ${value}`);
        last.set(host, value);
      }
    }
    return found;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}
