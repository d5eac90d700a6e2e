import { EVENT_METRICS } from '@obscost/events';
import type { Probe } from '@obscost/observer';
import { sumOf } from '@obscost/measure';
import { NOT_COMPARABLE_BECAUSE, type Counted, type Counts } from '../accuracy.js';

/**
 * What the observer's probes counted of the app's responses, read from a /metrics that
 * exports the event counters (the observer's own, or the aggregator's); `where` names it.
 * On a service (`ours` false) two measures may not mean what the truth means, and say so:
 * the marker's argument is the service's own measure, and the write probe sees write and
 * writev alone, so where the TCP probe beside it saw every byte, fewer bytes mean the
 * service sent the rest with other calls (accuracy.ts, `someCalls`).
 */
export function probeCounts(
  metrics: string,
  probes: readonly Probe[],
  where: string,
  ours = true,
): Counts {
  const { uprobe, write, tcp_send: tcp } = EVENT_METRICS;
  const witnessed = !ours && probes.includes('tcp');
  return {
    ...(probes.includes('uprobe') && {
      ebpf_uprobe: {
        requests: sumOf(metrics, uprobe.events),
        bytes: sumOf(metrics, uprobe.bytes),
        source: `${where}: ${uprobe.events}, ${uprobe.bytes}`,
        ...(!ours && { notComparable: { bytes: NOT_COMPARABLE_BECAUSE.markerArgument } }),
      },
    }),
    ...(probes.includes('write') && {
      ebpf_socket_write: {
        bytes: sumOf(metrics, write.bytes, { fd: 'socket' }),
        source: `${where}: ${write.bytes}{fd="socket"}`,
        ...(witnessed && {
          someCalls: { witness: 'ebpf_tcp_send', why: NOT_COMPARABLE_BECAUSE.sentOtherwise },
        }),
      },
    }),
    ...(probes.includes('tcp') && {
      ebpf_tcp_send: { bytes: sumOf(metrics, tcp.bytes), source: `${where}: ${tcp.bytes}` },
    }),
  };
}

/** A count's figures without where it was read. */
function figures({ requests, bytes }: Counted): NonNullable<Counted['observer']> {
  return {
    ...(requests === undefined ? {} : { requests }),
    ...(bytes === undefined ? {} : { bytes }),
  };
}

/** The counts at the end of the pipeline, each with the observer's own count beside it. */
export function withObserverCounts(counts: Counts, atObserver: Counts): Counts {
  return Object.fromEntries(
    Object.entries(counts).map(([approach, counted]) => {
      const own = atObserver[approach as keyof Counts];
      return [approach, own === undefined ? counted : { ...counted, observer: figures(own) }];
    }),
  );
}
