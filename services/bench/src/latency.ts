import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One point of the percentile curve: `percentile` of the responses took at most `ms`. */
export interface PercentilePoint {
  percentile: number;
  ms: number;
}

/** Where the percentile curve is sampled: denser towards the tail, as HDR plots are. */
const CURVE_PERCENTILES = [
  0, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100,
];

/** The latency figures, in the order they are reported. */
export const LATENCY_FIGURES = ['p50', 'p90', 'p99', 'p999', 'mean', 'max'] as const;

/**
 * Response latencies in an HDR histogram: microsecond resolution, 3 significant
 * digits, so a percentile is within 0.1% of the true value at any magnitude.
 */
export class LatencyRecorder {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** The histogram as text, to hand to another thread (a worker's records to the main's). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  /** Adds the records of an encode()d histogram to these. */
  addEncoded(text: string): void {
    this.histogram.add(hdr.decodeFromCompressedBase64(text));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The latency at `percentile`, in ms. */
  private at(percentile: number): number {
    // A percentile is the top of its HDR bucket, which can lie above the exact maximum.
    return (
      Math.min(this.histogram.maxValue, this.histogram.getValueAtPercentile(percentile)) / 1000
    );
  }

  /** The percentile curve, to draw a distribution; empty when nothing was recorded. */
  distribution(): PercentilePoint[] {
    if (this.count === 0) return [];
    return CURVE_PERCENTILES.map((percentile) => ({ percentile, ms: this.at(percentile) }));
  }

  summary(): LatencySummary {
    if (this.count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, mean: 0, max: 0 };
    return {
      p50: this.at(50),
      p90: this.at(90),
      p99: this.at(99),
      p999: this.at(99.9),
      mean: this.histogram.mean / 1000,
      max: this.histogram.maxValue / 1000,
    };
  }
}
