import type { Attributes } from '@opentelemetry/api';
import type { SequenceCounts } from './observer-runs.js';
import type { PartitionState } from './partition-state.js';

/** A counter of each partition's state, declared once: its name, description and points. */
export interface PartitionMetric {
  readonly name: string;
  readonly description: string;
  /** The state's values, each with its attributes but the partition, which every point has. */
  readonly read: (state: PartitionState) => (readonly [Attributes, number])[];
}

/** The one point of a partition's total. */
const total =
  (read: (state: PartitionState) => number) =>
  (state: PartitionState): (readonly [Attributes, number])[] => [[{}, read(state)]];

/** One point per host of what the observers' sequence numbers said. */
const perHost =
  (count: keyof SequenceCounts) =>
  (state: PartitionState): (readonly [Attributes, number])[] =>
    [...state.sequences].map(([host, counts]) => [{ host }, counts[count]]);

/** The partitions' own counters, after the event families, in the order of the exposition. */
export const PARTITION_METRICS: readonly PartitionMetric[] = [
  {
    name: 'aggregator_records_total',
    description: 'Kafka records counted.',
    read: total((state) => state.records),
  },
  {
    name: 'aggregator_events_total',
    description: 'Events counted.',
    read: total((state) => state.events),
  },
  {
    name: 'aggregator_unknown_kind_events_total',
    description: 'Events of a kind the aggregator does not count.',
    read: total((state) => state.unknownKindEvents),
  },
  {
    name: 'aggregator_overflow_events_total',
    description:
      'Events counted under the _overflow series because the partition held --max-series series.',
    read: total((state) => state.overflowEvents),
  },
  {
    name: 'aggregator_decode_errors_total',
    description:
      'Records that were not event batches, or batches that cannot be counted (invalid), by reason; each went to the dead-letter topic.',
    read: (state) => [...state.rejected].map(([reason, count]) => [{ reason }, count]),
  },
  {
    name: 'aggregator_sequence_gap_batches_total',
    description: "Batches missing from an observer's sequence.",
    read: perHost('gaps'),
  },
  {
    name: 'aggregator_duplicate_batches_total',
    description: 'Batches whose sequence number was already counted, skipped.',
    read: perHost('duplicates'),
  },
  {
    name: 'aggregator_observer_restarts_total',
    description: 'Observers seen again under the same id with a new incarnation: a restart.',
    read: perHost('restarts'),
  },
  {
    name: 'aggregator_stale_batches_total',
    description: 'Batches of observer runs forgotten as silent for 24 h: a replay, skipped.',
    read: perHost('stale'),
  },
];
