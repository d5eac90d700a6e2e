import type { HistogramSeries } from './kernel-histogram.js';
import type { ObserverReadings, SinkReadings } from './observer-readings.js';

export type Labels = Readonly<Record<string, string>>;
/** One series of a counter or a gauge at a scrape: its labels and its value. */
export type Sample = readonly [labels: Labels, value: number];

interface Described {
  readonly name: string;
  readonly help: string;
  /**
   * Whether this observer exports the metric at all (always, when absent): a probe not
   * attached, or a stage not running, exports no series rather than zeros.
   */
  readonly when?: (observer: ObserverReadings) => boolean;
}

/** A counter or a gauge whose series are read from the observer at each scrape. */
export interface ReadMetric extends Described {
  readonly type: 'counter' | 'gauge';
  readonly labelNames?: readonly string[];
  readonly read: (observer: ObserverReadings) => readonly Sample[];
}

/** A histogram whose buckets the kernel counted, read whole at each scrape. */
export interface KernelHistogramMetric extends Described {
  readonly type: 'kernel-histogram';
  readonly read: (observer: ObserverReadings) => HistogramSeries[];
}

/** A histogram of values observed in user space, as they happen. */
export interface ObservedHistogramMetric extends Described {
  readonly type: 'histogram';
  readonly buckets: readonly number[];
  /** Hands `observe` to the stage that measures the values. */
  readonly feed: (observer: ObserverReadings, observe: (value: number) => void) => void;
}

/** One self-metric of the observer, declared once: its name, help, when and how it is read. */
export type MetricDefinition = ReadMetric | KernelHistogramMetric | ObservedHistogramMetric;

/** The one series of a metric without labels. */
export const single = (value: number): readonly Sample[] => [[{}, value]];

/** Each entry of a record as a series labelled `label`. */
export const byLabel = (label: string, values: Readonly<Record<string, number>>): Sample[] =>
  Object.entries(values).map(([key, value]) => [{ [label]: key }, value]);

/** A read of the Kafka sink, for the metrics that exist only when there is one. */
export const fromSink =
  (read: (sink: SinkReadings) => readonly Sample[]) =>
  (observer: ObserverReadings): readonly Sample[] =>
    observer.sink ? read(observer.sink) : [];

export const hasSink = (observer: ObserverReadings): boolean => observer.sink !== undefined;
