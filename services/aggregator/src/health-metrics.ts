import type { Meter } from '@opentelemetry/api';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';

/** What the consumer reports as it goes, for the health instruments. */
export interface ConsumerHealth {
  /** Records behind the partition's end, per owned partition, at the last fetch. */
  readonly lag: ReadonlyMap<number, number>;
  readonly deadLetters: number;
  readonly commits: number;
  readonly connected: boolean;
}

const DELAY = 'aggregator_event_delay_seconds';

/** The delay histogram's buckets, from a millisecond to a minute: given to the MeterProvider. */
export const DELAY_VIEW: ViewOptions = {
  instrumentName: DELAY,
  aggregation: {
    type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
    options: {
      boundaries: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 60],
    },
  },
};

/**
 * The instruments of this process's own health: observed from `health()` at each
 * collection, and the delay histogram, whose recorder is returned.
 */
export function healthMetrics(
  meter: Meter,
  health: () => ConsumerHealth,
): (seconds: number) => void {
  meter
    .createObservableGauge('aggregator_consumer_lag_records', {
      description: 'Records between the last one counted and the end of each owned partition.',
    })
    .addCallback((result) => {
      for (const [partition, lag] of health().lag) result.observe(lag, { partition });
    });
  meter
    .createObservableCounter('aggregator_dead_letter_records_total', {
      description: 'Records this process sent to the dead-letter topic.',
    })
    .addCallback((result) => {
      result.observe(health().deadLetters);
    });
  meter
    .createObservableCounter('aggregator_commits_total', {
      description: 'Offset commits, each carrying the totals of its partition.',
    })
    .addCallback((result) => {
      result.observe(health().commits);
    });
  meter
    .createObservableGauge('aggregator_kafka_connected', {
      description: '1 while the consumer is in its group, 0 while it waits for Kafka.',
    })
    .addCallback((result) => {
      result.observe(health().connected ? 1 : 0);
    });
  const delay = meter.createHistogram(DELAY, {
    description:
      "From a batch's oldest event's kernel timestamp to its counting, for batches from this host.",
    unit: '',
  });
  return (seconds) => {
    delay.record(seconds);
  };
}

/**
 * The process's CPU time and resident memory under prom-client's names
 * (process_cpu_seconds_total, process_resident_memory_bytes), as the app and the observer
 * export them, for the pipeline-health dashboard. Read at each collection.
 */
export function recordProcessMetrics(meter: Meter): void {
  meter
    .createObservableCounter('process_cpu_seconds_total', {
      description: 'User and system CPU time spent by this process, in seconds.',
    })
    .addCallback((result) => {
      const { user, system } = process.cpuUsage();
      result.observe((user + system) / 1e6);
    });
  meter
    .createObservableGauge('process_resident_memory_bytes', {
      description: 'Resident memory of this process, in bytes.',
    })
    .addCallback((result) => {
      result.observe(process.memoryUsage.rss());
    });
}
