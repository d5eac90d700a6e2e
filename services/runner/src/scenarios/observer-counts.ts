import { EVENT_METRICS } from '@obscost/events';
import type { Probe } from '@obscost/observer';
import { sumOf } from '@obscost/measure';
import type { Counted, Counts } from '../accuracy.js';

/**
 * What the observer's probes counted of the app's responses, read from a /metrics that
 * exports the event counters (the observer's own, or the aggregator's); `where` names it.
 * The marker's argument is bytes on the wire in the project's app only: a service's marker
 * (`markerBytes` false) is counted by its calls alone.
 */
export function probeCounts(
  metrics: string,
  probes: readonly Probe[],
  where: string,
  markerBytes = true,
): Counts {
  const { uprobe, write, tcp_send: tcp } = EVENT_METRICS;
  return {
    ...(probes.includes('uprobe') && {
      ebpf_uprobe: markerBytes
        ? {
            requests: sumOf(metrics, uprobe.events),
            bytes: sumOf(metrics, uprobe.bytes),
            source: `${where}: ${uprobe.events}, ${uprobe.bytes}`,
          }
        : {
            requests: sumOf(metrics, uprobe.events),
            source: `${where}: ${uprobe.events} (its argument is the service's own measure, not bytes on the wire)`,
          },
    }),
    ...(probes.includes('write') && {
      ebpf_socket_write: {
        bytes: sumOf(metrics, write.bytes, { fd: 'socket' }),
        source: `${where}: ${write.bytes}{fd="socket"}`,
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
