import { LOOPBACK } from '@obscost/flags';
import { waitFor } from '@obscost/process';
import type { InfraConfig } from './config.js';
import type { StackStart } from './stack-start.js';

/**
 * What `npm run stack -- status` shows of the comparison itself: each approach's totals since
 * the stack's start, as Prometheus's recording rules (infra/prometheus/rules.yml) hold them,
 * side by side, and the relations between them that must hold once the traffic has passed.
 */

export const REQUESTS_RECORD = 'approach:obscost_requests:sum';
export const BYTES_RECORD = 'approach:obscost_response_bytes:sum';

/** A record's values by `approach/stage`, e.g. `ebpf_uprobe/aggregator`. */
export type Counts = Record<string, number>;

/** One instant query of a recording rule, its series keyed by `approach/stage`. */
export async function queryCounts(prometheusUrl: string, record: string): Promise<Counts> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(record)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`Prometheus answered ${response.status} to ${record}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return Object.fromEntries(
    body.data.result.map(({ metric, value }) => [
      `${metric.approach ?? '?'}/${metric.stage ?? '?'}`,
      Number(value[1]),
    ]),
  );
}

interface Relation {
  what: string;
  counts: 'requests' | 'bytes';
  /** These series are equal, and each of `atLeast` is at least as much. */
  equal: string[];
  atLeast?: string[];
  why: string;
}

/** docs/infrastructure.md, "Recording rules", says why each holds. */
export const RELATIONS: readonly Relation[] = [
  {
    what: 'requests',
    counts: 'requests',
    equal: [
      'app/app',
      'sidecar/collector',
      'otel_sdk/collector',
      'ebpf_uprobe/observer',
      'ebpf_uprobe/aggregator',
    ],
    why: 'one count a response, each',
  },
  {
    what: 'response bytes',
    counts: 'bytes',
    equal: ['sidecar/collector', 'ebpf_uprobe/observer', 'ebpf_uprobe/aggregator'],
    atLeast: ['ebpf_socket_write/observer', 'ebpf_tcp_send/observer'],
    why: "the sockets also carry the app's scrapes and OTLP exports",
  },
];

const number = (n: number | undefined): string =>
  n === undefined ? '-' : Math.round(n).toLocaleString('en');

const keyName = (key: string): string => key.replace('/', ' at the ');

/** The relation in words: `a = b = c, and d at least as much`. */
function statement({ equal, atLeast = [] }: Relation): string {
  const bound =
    atLeast.length > 0 ? `, and ${atLeast.map(keyName).join(', ')} at least as much` : '';
  return equal.map(keyName).join(' = ') + bound;
}

/** `requests: app = sidecar = ... (one count a response, each): holds`, or what differs. */
export function relationLine(relation: Relation, counts: Counts): string {
  const { equal, atLeast = [] } = relation;
  const keys = [...equal, ...atLeast];
  const missing = keys.filter((key) => counts[key] === undefined);
  const first = counts[equal[0] ?? ''] ?? 0;
  const holds =
    missing.length === 0 &&
    equal.every((key) => counts[key] === first) &&
    atLeast.every((key) => (counts[key] ?? 0) >= first);
  const verdict = holds
    ? 'holds'
    : missing.length > 0
      ? `cannot be checked: no ${missing.map(keyName).join(', ')}`
      : `does not hold (yet: Prometheus scrapes every few seconds): ${keys.map((key) => `${keyName(key)} ${number(counts[key])}`).join(', ')}`;
  return `${relation.what}: ${statement(relation)} (${relation.why}): ${verdict}`;
}

const prometheusUrl = (config: InfraConfig): string =>
  `http://${LOOPBACK}:${config.prometheus.port}`;

/** How long `up` waits for Prometheus's first scrape of every source: two scrape intervals. */
const FIRST_SCRAPES_MS = 15_000;

/**
 * Waits until Prometheus holds every approach's request count, at 0: a request sent before a
 * source's first scrape would be missing from that approach's rate, which needs a sample
 * before the traffic (rules.yml). The line says whether every one was there in time.
 */
export async function everyApproachScraped(config: InfraConfig): Promise<string> {
  const [requests] = RELATIONS;
  const wanted = requests?.equal ?? [];
  let missing = wanted;
  try {
    await waitFor(
      "Prometheus's first scrape of every source",
      async () => {
        const counts = await queryCounts(prometheusUrl(config), REQUESTS_RECORD).catch(() => ({}));
        missing = wanted.filter((key) => !(key in counts));
        return missing.length === 0;
      },
      FIRST_SCRAPES_MS,
      500,
    );
    return 'prometheus: every approach counted from 0, each source scraped once';
  } catch {
    return `prometheus: not yet scraped after ${FIRST_SCRAPES_MS / 1000} s: ${missing.join(', ')} (their first requests may be missing from their rates)`;
  }
}

/**
 * The kernel probes' bytes before and after Kafka, with no verdict: the app writes to its
 * sockets all the time (Prometheus's scrapes, the SDK's exports), and Prometheus reads the
 * observer and the aggregator at different moments of its scrape interval, so either may be
 * ahead when read; the difference is what passed between the two reads, or is in flight.
 */
export function throughKafkaLines(bytes: Counts): string[] {
  return ['ebpf_socket_write', 'ebpf_tcp_send'].flatMap((approach) => {
    const observer = bytes[`${approach}/observer`];
    const aggregator = bytes[`${approach}/aggregator`];
    if (observer === undefined || aggregator === undefined) return [];
    const difference = aggregator - observer;
    const sign = difference > 0 ? '+' : '';
    return [
      `${approach} through Kafka: the aggregator ${number(aggregator)} bytes, the observer ${number(observer)} (${sign}${number(difference)}: read at different moments of a scrape interval, with the app writing all the time)`,
    ];
  });
}

/** The totals table and the relations, as `stack status` prints them. */
export async function countsReport(config: InfraConfig, start: StackStart): Promise<string[]> {
  const [requests, bytes] = await Promise.all([
    queryCounts(prometheusUrl(config), REQUESTS_RECORD),
    queryCounts(prometheusUrl(config), BYTES_RECORD),
  ]);
  const keys = [...new Set([...Object.keys(requests), ...Object.keys(bytes)])];
  const rows = keys.map((key) => {
    const [approach = '', stage = ''] = key.split('/');
    return [approach, stage, number(requests[key]), number(bytes[key])];
  });
  const header = ['approach', 'stage', 'requests', 'response bytes'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    `counting since ${new Date(start.startedAt).toISOString()} (the app's start; the aggregator's group ${start.group} reads the events topic from then)`,
    line(header),
    ...rows.map(line),
    ...RELATIONS.map((relation) =>
      relationLine(relation, relation.counts === 'requests' ? requests : bytes),
    ),
    ...throughKafkaLines(bytes),
  ];
}
