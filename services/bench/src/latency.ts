import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

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

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, mean: 0, max: 0 };
    const max = this.histogram.maxValue / 1000;
    // A percentile is the top of its HDR bucket, which can lie above the exact maximum.
    const at = (percentile: number): number =>
      Math.min(max, this.histogram.getValueAtPercentile(percentile) / 1000);
    return {
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      mean: this.histogram.mean / 1000,
      max,
    };
  }
}
