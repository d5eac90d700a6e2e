import { MARKER_SYMBOLS } from '@obscost/events';
import { startAggregator, startObserver, type Listening, type RunningApp } from '@obscost/infra';
import { PROBES, type Probe } from '@obscost/observer';
import type { ScenarioName } from '@obscost/report';
import { scrape } from '@obscost/measure';
import { probeCounts, withObserverCounts } from './observer-counts.js';
import { hasCommand, needsRoot } from './requirements.js';
import { onlyOurApp, pidOf, type Scenario } from './scenario.js';
import type { ServiceSpec } from '../service-settings.js';

/**
 * Of `probes`, those that apply: on a named service the uprobe only where it names a marker;
 * on the app, every one.
 */
function probesOn(
  service: ServiceSpec | undefined,
  probes: readonly Probe[] = PROBES,
): readonly Probe[] {
  return service === undefined || service.marker !== undefined
    ? probes
    : probes.filter((p) => p !== 'uprobe');
}

/**
 * Whom the observer follows: the app by its pid; a service by its command name when one is
 * given, else the process the comparison started and every process it starts.
 */
function targetArgs(app: RunningApp, service: ServiceSpec | undefined): string[] {
  const pid = String(pidOf(app));
  if (service === undefined) return ['--pid', pid];
  return service.comm === undefined ? ['--tree', pid] : ['--comm', service.comm];
}

/** The observer's uprobe flags: the app's marker of this kind, or the service's named one. */
function uprobeArgs(marker: 'nop5' | 'plain', service: ServiceSpec | undefined): string[] {
  if (service?.marker === undefined) return ['--uprobe-symbol', MARKER_SYMBOLS[marker]];
  const { file, symbol } = service.marker;
  const abi = service.runtime === 'go' ? 'go' : 'c';
  return ['--uprobe-lib', file, '--uprobe-symbol', symbol, '--uprobe-abi', abi];
}

/** Why a scenario of the plain marker does not apply to a service: it has no such marker. */
function plainMarkerOnly(marker: 'nop5' | 'plain', service: ServiceSpec | undefined) {
  return marker === 'plain'
    ? onlyOurApp(service, "it measures the project's app's plain marker, which a service has not")
    : undefined;
}

/**
 * The CO-RE observer following the app, every raw event to Kafka, the aggregator counting them:
 * with the app's nop5 marker, whose uprobe the kernel optimizes into a jump, or with its plain
 * twin, whose uprobe stays a breakpoint trap.
 */
export function observerToKafka(
  name: ScenarioName,
  description: string,
  marker: 'nop5' | 'plain',
): Scenario {
  return {
    name,
    description,
    loadsBpf: true,
    unavailable: (infra, service) =>
      plainMarkerOnly(marker, service) ??
      needsRoot() ??
      (hasCommand('java') ? infra.kafkaMissing() : 'Java is not installed'),
    async observe(infra, run, service) {
      const probes = probesOn(service);
      const topic = `obscost.comparison.${process.pid}.${name}.${run}`;
      const kafka = await infra.kafka(topic);
      let observer: Listening | undefined;
      let aggregator: Listening | undefined;
      const read = async (service: Listening | undefined) =>
        service === undefined ? '' : scrape(service.url);
      return {
        appEnv: { APP_MARKER: marker },
        async attach(app: RunningApp) {
          observer = await startObserver([
            ...targetArgs(app, service),
            ...['--kafka-brokers', kafka.kafka.brokers],
            ...['--topic', topic, '--observer-id', `comparison-${run}`],
            ...['--probes', probes.join(','), ...uprobeArgs(marker, service)],
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
          const where = "the aggregator's /metrics (the observer's beside it)";
          const ours = service === undefined;
          return withObserverCounts(
            probeCounts(atAggregator, probes, where, ours),
            probeCounts(atObserver, probes, where, ours),
          );
        },
        async stop() {
          await observer?.stop();
          await aggregator?.stop();
        },
      };
    },
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
    unavailable: (_infra, service) => plainMarkerOnly(marker, service) ?? needsRoot(),
    observe(_infra, _run, service) {
      const attached = probesOn(service, probes);
      let observer: Listening | undefined;
      return Promise.resolve({
        appEnv: { APP_MARKER: marker },
        async attach(app: RunningApp) {
          observer = await startObserver([
            ...targetArgs(app, service),
            ...['--no-kafka', '--probes', attached.join(',')],
            ...uprobeArgs(marker, service),
            ...args,
          ]);
        },
        processes: () => (observer?.pid === undefined ? {} : { observer: observer.pid }),
        bpfOwners: () => (observer?.pid === undefined ? {} : { observer: observer.pid }),
        count: async () =>
          observer === undefined
            ? {}
            : probeCounts(
                await scrape(observer.url),
                attached,
                "the observer's /metrics",
                service === undefined,
              ),
        stop: async () => {
          await observer?.stop();
        },
      });
    },
  };
}
