import { SIZE_BOUNDS } from '@obscost/events';
import { Histogram, type Registry } from 'prom-client';
import type { KindTotals } from './kernel-counts.js';

/** One series of a kernel histogram: its labels, and the kernel's totals for them. */
export interface HistogramSeries {
  readonly labels: Record<string, string>;
  readonly totals: KindTotals;
}

type Exposed = Awaited<ReturnType<Histogram['get']>>;

/**
 * Count mode's size histogram, its buckets read whole from the kernel at each scrape:
 * prom-client's Histogram can only observe one value at a time, so this one replaces what it
 * reports rather than what it observes. The registry reads a histogram through
 * getForPromString() (prom-client's lib/registry.js), JSON readers through get(): both give
 * the kernel's buckets.
 */
export class KernelHistogram extends Histogram {
  /**
   * prom-client's own description of this histogram (name, help, type, aggregator), never
   * registered: its values are replaced by the kernel's. Its typings declare the type as a
   * numeric enum that the library does not export, so the description is taken from it.
   */
  private readonly described: Histogram;

  constructor(
    registry: Registry,
    private readonly metricName: string,
    help: string,
    private readonly read: () => HistogramSeries[],
  ) {
    super({ name: metricName, help, buckets: [...SIZE_BOUNDS], registers: [registry] });
    this.described = new Histogram({ name: metricName, help, registers: [] });
  }

  override async get(): Promise<Exposed> {
    return { ...(await this.described.get()), values: this.kernelValues() };
  }

  getForPromString(): Promise<Exposed> {
    return this.get();
  }

  private kernelValues(): Exposed['values'] {
    const name = this.metricName;
    return this.read().flatMap(({ labels, totals }) => {
      let cumulative = 0;
      return [
        ...[...SIZE_BOUNDS.map(String), '+Inf'].map((le, bucket) => ({
          labels: { ...labels, le },
          value: (cumulative += totals.sizes[bucket] ?? 0),
          metricName: `${name}_bucket`,
        })),
        { labels, value: totals.bytes, metricName: `${name}_sum` },
        { labels, value: totals.events, metricName: `${name}_count` },
      ];
    });
  }
}
