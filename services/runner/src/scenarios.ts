import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { COLLECTOR_METRICS, EVENT_METRICS, MARKER_SYMBOLS } from '@obscost/events';
import {
  ROOT,
  startAggregator,
  startObserver,
  type Listening,
  type RunningApp,
} from '@obscost/infra';
import { missingCapabilities } from '@obscost/observer/capabilities';
import { PROBES, type Probe } from '@obscost/observer';
import { startChild, type Child } from '@obscost/process';
import { scrape, sumOf, type Counts } from './accuracy.js';
import type { Infrastructure, StartedCollector } from './infrastructure.js';
import type { ScenarioName } from '@obscost/report';

/** One scenario's observability around one fresh app. */
export interface Observation {
  /** Added to the app's environment when it starts. */
  readonly appEnv: NodeJS.ProcessEnv;
  /** Starts what follows the running app (probes, tracers). */
  attach(app: RunningApp): Promise<void>;
  /** The processes it started, by name, to measure. */
  processes(): Record<string, number>;
  /** The processes holding its BPF programs, by name. */
  bpfOwners(): Record<string, number>;
  /** What each of its approaches counted so far, without a request to the app. */
  count(): Promise<Counts>;
  stop(): Promise<void>;
}

/** One way of observing the app; benchmarks name scenarios of their own (N). */
export interface Scenario<N extends string = ScenarioName> {
  readonly name: N;
  /** What it adds to the app, one line. */
  readonly description: string;
  /** Whether it loads BPF programs, whose run time the kernel's statistics then report. */
  readonly loadsBpf: boolean;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(infra: Infrastructure): string | undefined;
  observe(infra: Infrastructure, round: number): Promise<Observation>;
}

const BPFTRACE_SCRIPT = path.join(ROOT, 'bpf/http_bytes.bt');

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why BPF programs cannot be loaded and measured here: both eBPF scenarios attach tracepoints
 * (CAP_BPF, CAP_PERFMON) and a uprobe or the run-time statistics (CAP_SYS_ADMIN).
 */
function needsRoot(): string | undefined {
  const missing = missingCapabilities({ bpfStats: true, uprobe: true });
  return missing.length === 0
    ? undefined
    : `loading BPF programs needs ${missing.join(', ')}: run as root`;
}

/** Nothing started, nothing observed. */
function nothing(appEnv: NodeJS.ProcessEnv = {}): Observation {
  return {
    appEnv,
    attach: () => Promise.resolve(),
    processes: () => ({}),
    bpfOwners: () => ({}),
    count: () => Promise.resolve({}),
    stop: () => Promise.resolve(),
  };
}

/** A scenario around one Collector: the app's environment for it, and how to read it. */
function withCollector(
  collector: StartedCollector,
  appEnv: NodeJS.ProcessEnv,
  count: (metrics: string) => Counts,
): Observation {
  return {
    ...nothing(appEnv),
    processes: () => ({ collector: collector.pid }),
    count: async () => count(await scrape(collector.metricsUrl)),
    stop: () => collector.stop(),
  };
}

export const baseline: Scenario = {
  name: 'baseline',
  description: 'the app alone, with its own Prometheus metrics',
  loadsBpf: false,
  unavailable: () => undefined,
  observe: () => Promise.resolve(nothing()),
};

const sidecar: Scenario = {
  name: 'sidecar',
  description: "the app's request log, tailed by the Collector's filelog receiver",
  loadsBpf: false,
  unavailable: (infra) => infra.collectorMissing(),
  async observe(infra, round) {
    const logFile = path.join(infra.workDir, `requests-${round}.log`);
    const collector = await infra.collector('otel/collector-filelog.yaml', logFile);
    return withCollector(collector, { APP_LOG_FILE: logFile }, (metrics) => ({
      sidecar: {
        requests: sumOf(metrics, COLLECTOR_METRICS.logRequests),
        bytes: sumOf(metrics, COLLECTOR_METRICS.logResponseBytes),
        source: `the Collector's exporter: ${COLLECTOR_METRICS.logRequests}, ${COLLECTOR_METRICS.logResponseBytes}`,
      },
    }));
  },
};

const otelSdk: Scenario = {
  name: 'otel-sdk',
  description: 'the OpenTelemetry SDK in the app: traces and metrics over OTLP to the Collector',
  loadsBpf: false,
  unavailable: (infra) => infra.collectorMissing(),
  async observe(infra) {
    const collector = await infra.collector('otel/collector.yaml');
    const appEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.config.collector.otlpHttpPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // As `npm run stack` runs it: the SDK's metrics every 5 s, as often as Prometheus scrapes.
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
    };
    return withCollector(collector, appEnv, (metrics) => ({
      otel_sdk: {
        requests: sumOf(metrics, COLLECTOR_METRICS.serverSpans),
        source: `the Collector's exporter: ${COLLECTOR_METRICS.serverSpans}`,
      },
    }));
  },
};

/** The sum of every value bpftrace printed for `map` (each interval prints, then clears). */
function printedSum(output: string, map: string): number {
  let sum = 0;
  for (const match of output.matchAll(new RegExp(`^@${map}: (\\d+)$`, 'gm'))) {
    sum += Number(match[1]);
  }
  return sum;
}

const bpftrace: Scenario = {
  name: 'bpftrace',
  description: "the seed's bpftrace script (bpf/http_bytes.bt): write and writev tracepoints",
  loadsBpf: true,
  unavailable: () =>
    needsRoot() ?? (hasCommand('bpftrace') ? undefined : 'bpftrace is not installed'),
  observe() {
    let tracer: Child | undefined;
    return Promise.resolve({
      ...nothing(),
      async attach(app: RunningApp) {
        tracer = startChild('bpftrace', [BPFTRACE_SCRIPT, String(app.pid)]);
        // The first interval's print comes once every probe is attached.
        await tracer.waitForOutput(/^\d\d:\d\d:\d\d /m, 'bpftrace to attach its probes', 60_000);
      },
      processes: () => (tracer?.pid === undefined ? {} : { bpftrace: tracer.pid }),
      bpfOwners: () => (tracer?.pid === undefined ? {} : { bpftrace: tracer.pid }),
      count() {
        const output = tracer?.stdout() ?? '';
        return Promise.resolve({
          bpftrace: {
            requests: printedSum(output, 'write_calls') + printedSum(output, 'writev_calls'),
            bytes: printedSum(output, 'write_bytes'),
            source: 'bpftrace: @write_calls + @writev_calls, @write_bytes (writev bytes uncounted)',
          },
        });
      },
      stop: async () => {
        await tracer?.stop(5_000);
      },
    });
  },
};

/**
 * The CO-RE observer following the app, every raw event to Kafka, the aggregator counting them:
 * with the app's nop5 marker, whose uprobe the kernel optimizes into a jump, or with its plain
 * twin, whose uprobe stays a breakpoint trap.
 */
function observerToKafka(
  name: ScenarioName,
  description: string,
  marker: 'nop5' | 'plain',
): Scenario {
  return {
    name,
    description,
    loadsBpf: true,
    unavailable: (infra) =>
      needsRoot() ?? (hasCommand('java') ? infra.kafkaMissing() : 'Java is not installed'),
    async observe(infra, round) {
      const topic = `obscost.comparison.${process.pid}.${name}.${round}`;
      const kafka = await infra.kafka(topic);
      let observer: Listening | undefined;
      let aggregator: Listening | undefined;
      const read = async (service: Listening | undefined) =>
        service === undefined ? '' : scrape(service.url);
      const { uprobe, write, tcp_send: tcp } = EVENT_METRICS;
      return {
        appEnv: { APP_MARKER: marker },
        async attach(app: RunningApp) {
          observer = await startObserver([
            ...['--pid', String(app.pid), '--kafka-brokers', kafka.kafka.brokers],
            ...['--topic', topic, '--observer-id', `comparison-${round}`],
            ...['--uprobe-symbol', MARKER_SYMBOLS[marker]],
          ]);
          aggregator = await startAggregator([
            ...['--kafka-brokers', kafka.kafka.brokers, '--topic', topic],
            ...['--group', topic],
          ]);
        },
        processes: () => ({
          ...(observer?.pid === undefined ? {} : { observer: observer.pid }),
          ...(aggregator?.pid === undefined ? {} : { aggregator: aggregator.pid }),
          ...(infra.kafkaPid() === undefined ? {} : { kafka: infra.kafkaPid() ?? 0 }),
        }),
        bpfOwners: () => (observer?.pid === undefined ? {} : { observer: observer.pid }),
        async count() {
          const [atObserver, atAggregator] = await Promise.all([read(observer), read(aggregator)]);
          const both = (metric: string, labels: Record<string, string> = {}) => ({
            aggregator: sumOf(atAggregator, metric, labels),
            observer: sumOf(atObserver, metric, labels),
          });
          const calls = both(uprobe.events);
          const bytes = both(uprobe.bytes);
          const socket = both(write.bytes, { fd: 'socket' });
          const sends = both(tcp.bytes);
          const where = "the aggregator's /metrics (the observer's beside it)";
          return {
            ebpf_uprobe: {
              requests: calls.aggregator,
              bytes: bytes.aggregator,
              source: `${where}: ${uprobe.events}, ${uprobe.bytes}`,
              observer: { requests: calls.observer, bytes: bytes.observer },
            },
            ebpf_socket_write: {
              bytes: socket.aggregator,
              source: `${where}: ${write.bytes}{fd="socket"}`,
              observer: { bytes: socket.observer },
            },
            ebpf_tcp_send: {
              bytes: sends.aggregator,
              source: `${where}: ${tcp.bytes}`,
              observer: { bytes: sends.observer },
            },
          };
        },
        async stop() {
          await observer?.stop();
          await aggregator?.stop();
        },
      };
    },
  };
}

/** What the observer counted of the app's responses, read from its /metrics. */
function observerCounts(metrics: string, probes: readonly Probe[]): Counts {
  const { uprobe, write, tcp_send: tcp } = EVENT_METRICS;
  const source = "the observer's /metrics";
  return {
    ...(probes.includes('uprobe') && {
      ebpf_uprobe: {
        requests: sumOf(metrics, uprobe.events),
        bytes: sumOf(metrics, uprobe.bytes),
        source: `${source}: ${uprobe.events}, ${uprobe.bytes}`,
      },
    }),
    ...(probes.includes('write') && {
      ebpf_socket_write: {
        bytes: sumOf(metrics, write.bytes, { fd: 'socket' }),
        source: `${source}: ${write.bytes}{fd="socket"}`,
      },
    }),
    ...(probes.includes('tcp') && {
      ebpf_tcp_send: { bytes: sumOf(metrics, tcp.bytes), source: `${source}: ${tcp.bytes}` },
    }),
  };
}

export interface ObserverAloneOptions {
  /** The app's marker, and so the uprobe's kind: nop5 (a jump) or plain (a breakpoint). */
  readonly marker: 'nop5' | 'plain';
  readonly probes: readonly Probe[];
  /** More of the observer's flags. */
  readonly args?: readonly string[];
}

/**
 * The CO-RE observer following the app and forwarding nothing (--no-kafka): what its probes
 * alone cost the app, each event still drained from the ring buffer and counted (or, with
 * --mode count in `args`, counted in the kernel).
 */
export function observerAlone<N extends string>(
  name: N,
  description: string,
  { marker, probes, args = [] }: ObserverAloneOptions,
): Scenario<N> {
  return {
    name,
    description,
    loadsBpf: true,
    unavailable: () => needsRoot(),
    observe() {
      let observer: Listening | undefined;
      return Promise.resolve({
        appEnv: { APP_MARKER: marker },
        async attach(app: RunningApp) {
          observer = await startObserver([
            ...['--pid', String(app.pid), '--no-kafka', '--probes', probes.join(',')],
            ...['--uprobe-symbol', MARKER_SYMBOLS[marker], ...args],
          ]);
        },
        processes: () => (observer?.pid === undefined ? {} : { observer: observer.pid }),
        bpfOwners: () => (observer?.pid === undefined ? {} : { observer: observer.pid }),
        count: async () =>
          observer === undefined ? {} : observerCounts(await scrape(observer.url), probes),
        stop: async () => {
          await observer?.stop();
        },
      });
    },
  };
}

/** The comparison's scenarios, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  baseline,
  sidecar,
  otelSdk,
  bpftrace,
  observerToKafka(
    'ebpf-core',
    'the CO-RE observer (ring buffer) -> Kafka -> the aggregator',
    'nop5',
  ),
  observerToKafka(
    'ebpf-breakpoint',
    'ebpf-core with the app calling the plain marker: its uprobe is a breakpoint trap',
    'plain',
  ),
  observerAlone(
    'ebpf-inkernel',
    'the CO-RE observer counting in the kernel (--mode count): no ring buffer, no Kafka',
    { marker: 'nop5', probes: PROBES, args: ['--mode', 'count'] },
  ),
];
