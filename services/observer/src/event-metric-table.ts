import { EVENT_METRICS, EventKind, KIND_NAMES } from '@obscost/events';
import type { EventTotals } from './counters.js';
import type { KernelTotals } from './kernel-counts.js';
import type { HistogramSeries } from './kernel-histogram.js';
import { single, type MetricDefinition, type Sample } from './metric-definition.js';
import type { ObserverReadings } from './observer-readings.js';
import type { Probe } from './probe-vocabulary.js';

const WRITE_KINDS = [EventKind.WRITE, EventKind.WRITEV];
const FDS = [false, true];
const fdLabel = (socket: boolean): string => (socket ? 'socket' : 'other');

const attached =
  (probe: Probe) =>
  (observer: ObserverReadings): boolean =>
    observer.probes.includes(probe);

/** The write and writev series, one per syscall and kind of fd. */
const writes =
  (read: (counters: EventTotals, kind: EventKind, socket: boolean) => number) =>
  ({ counters }: ObserverReadings): Sample[] =>
    WRITE_KINDS.flatMap((kind) =>
      FDS.map((socket): Sample => [
        { syscall: KIND_NAMES[kind], fd: fdLabel(socket) },
        read(counters, kind, socket),
      ]),
    );

/** A size histogram of count mode, when this probe is attached. */
const counted =
  (probe: Probe) =>
  (observer: ObserverReadings): boolean =>
    observer.kernelCounts !== undefined && observer.probes.includes(probe);

const kernelSeries =
  (read: (counts: KernelTotals, observer: ObserverReadings) => HistogramSeries[]) =>
  (observer: ObserverReadings): HistogramSeries[] =>
    observer.kernelCounts ? read(observer.kernelCounts, observer) : [];

/**
 * The seed's counters of what the target did, by probe, and in count mode their size
 * histograms with the aggregator's names and buckets, labelled as the counters.
 */
export const EVENT_METRIC_TABLE: readonly MetricDefinition[] = [
  {
    name: EVENT_METRICS.write.events,
    help: 'write and writev calls by the target that wrote bytes.',
    type: 'counter',
    labelNames: ['syscall', 'fd'],
    when: attached('write'),
    read: writes((counters, kind, socket) => counters.eventsOf(kind, socket)),
  },
  {
    name: EVENT_METRICS.write.bytes,
    help: 'Bytes the target wrote with write and writev.',
    type: 'counter',
    labelNames: ['syscall', 'fd'],
    when: attached('write'),
    read: writes((counters, kind, socket) => counters.bytesOf(kind, socket)),
  },
  {
    name: EVENT_METRICS.tcp_send.events,
    help: 'TCP sends by the target.',
    type: 'counter',
    labelNames: ['probe'],
    when: attached('tcp'),
    read: (o) => [[{ probe: o.tcpMode }, o.counters.eventsOf(EventKind.TCP_SEND)]],
  },
  {
    name: EVENT_METRICS.tcp_send.bytes,
    help: 'Bytes the target sent over TCP.',
    type: 'counter',
    labelNames: ['probe'],
    when: attached('tcp'),
    read: (o) => [[{ probe: o.tcpMode }, o.counters.bytesOf(EventKind.TCP_SEND)]],
  },
  {
    name: EVENT_METRICS.uprobe.events,
    help: 'Calls of the app_write marker.',
    type: 'counter',
    when: attached('uprobe'),
    read: (o) => single(o.counters.eventsOf(EventKind.UPROBE)),
  },
  {
    name: EVENT_METRICS.uprobe.bytes,
    help: 'Bytes reported through the app_write marker.',
    type: 'counter',
    when: attached('uprobe'),
    read: (o) => single(o.counters.bytesOf(EventKind.UPROBE)),
  },
  {
    name: EVENT_METRICS.write.sizes,
    help: 'Sizes of write and writev calls by the target, in bytes.',
    type: 'kernel-histogram',
    when: counted('write'),
    read: kernelSeries((counts) =>
      WRITE_KINDS.flatMap((kind) =>
        FDS.map((socket) => ({
          labels: { syscall: KIND_NAMES[kind], fd: fdLabel(socket) },
          totals: counts.totalsOf(kind, socket),
        })),
      ),
    ),
  },
  {
    name: EVENT_METRICS.tcp_send.sizes,
    help: 'Sizes of TCP sends by the target, in bytes.',
    type: 'kernel-histogram',
    when: counted('tcp'),
    read: kernelSeries((counts, o) => [
      { labels: { probe: o.tcpMode }, totals: counts.totalsOf(EventKind.TCP_SEND) },
    ]),
  },
  {
    name: EVENT_METRICS.uprobe.sizes,
    help: 'Sizes reported through the app_write marker, in bytes.',
    type: 'kernel-histogram',
    when: counted('uprobe'),
    read: kernelSeries((counts) => [{ labels: {}, totals: counts.totalsOf(EventKind.UPROBE) }]),
  },
];
