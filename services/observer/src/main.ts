import path from 'node:path';
import { onShutdown, runMain, SHUTDOWN_SIGNALS } from '@obscost/errors';
import { EventKind } from '@obscost/events';
import { parseObserverArgs } from './config.js';
import { USAGE } from './settings.js';
import { ObserverError } from './errors.js';
import { kafkaLoginRefusal } from './kafka-sink.js';
import { registerProcessMetrics, serveMetrics } from '@obscost/metrics-server';
import { Registry } from 'prom-client';
import { observerRegistry } from './metrics.js';
import { Observer } from './observer.js';
import { describeTarget } from './targets.js';

/** What became of the events, for the last line: counted or drained, sent to Kafka, dropped. */
/** The object's build loaded when the kernel has no bpf_rdonly_cast kfunc, said so. */
function compatNote(object: string, loaded: string): string {
  return loaded === object
    ? ''
    : `; BPF object: ${path.basename(loaded)} (no bpf_rdonly_cast kfunc before Linux 6.2)`;
}

/** The TCP probe attached, and why, when --tcp-probe auto chose it. */
function tcpProbeText(observer: Observer, choice: string): string {
  if (choice !== 'auto') return `TCP send probe: ${observer.tcpMode}`;
  const why = observer.tcpMode.startsWith('kprobe') ? 'this kernel has kprobes' : 'no kprobes here';
  return `TCP send probe: ${observer.tcpMode} (${why})`;
}

/** The write probe attached, and why not fexit when --write-probe auto tried it first. */
function writeProbeText(observer: Observer): string {
  const refused = observer.writeRefusal;
  return `write probe: ${observer.writeMode}${refused === undefined ? '' : ` (${refused})`}`;
}

function summary(observer: Observer): string {
  const { counters, sink } = observer;
  const events = Object.values(EventKind).reduce((sum, kind) => sum + counters.eventsOf(kind), 0);
  if (observer.mode === 'count') return `: ${events} events counted in the kernel`;
  if (!sink) return `: ${events} events drained`;
  const dropped = Object.entries(sink.dropped)
    .map(([reason, events]) => `${events} ${reason}`)
    .join(', ');
  return `: ${events} events drained, ${sink.eventsSent} sent to Kafka, dropped: ${dropped}`;
}

async function main(argv: string[]): Promise<number> {
  const config = parseObserverArgs(argv);
  if (config === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Beside the observer's own, the process's CPU and memory for the pipeline-health dashboard.
  const registry = new Registry();
  registerProcessMetrics(registry);
  // The port first: one in use fails before anything is loaded or a capture file begun.
  const server = await serveMetrics({
    host: config.host,
    port: config.port,
    render: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
  });
  let observer: Observer;
  try {
    const refused =
      config.kafka && (await kafkaLoginRefusal(config.kafka.brokers, config.kafka.security));
    if (refused) throw new ObserverError('OBS_KAFKA_REFUSED', refused);
    observer = Observer.start(config);
  } catch (err) {
    await server.close();
    throw err;
  }
  observerRegistry(observer, registry);
  const uprobe = config.probes.includes('uprobe')
    ? `${config.uprobeSymbol} in ${config.uprobeLibrary}`
    : 'off';
  process.stdout.write(
    `observer: watching ${describeTarget(config.target)} (pids ${observer.targets.join(', ')}); ` +
      `mode: ${config.mode}; probes: ${config.probes.join(',')}; ${writeProbeText(observer)}; ${tcpProbeText(observer, config.tcpProbe)}; uprobe: ${uprobe}; ` +
      `BPF statistics: ${config.bpfStats ? 'on' : 'off'}${compatNote(config.bpfObject, observer.bpfObject)}\n` +
      `observer: metrics on http://${config.host}:${server.port}/metrics\n` +
      (config.kafka
        ? `observer: forwarding to Kafka topic ${config.kafka.topic} at ${config.kafka.brokers.join(',')} as ${config.observerId}\n`
        : '') +
      (config.captureFile === undefined ? '' : `observer: capturing to ${config.captureFile}\n`),
  );
  // The last resort: an error no stage caught still flushes what it can before the exit.
  process.on('uncaughtException', (err) => {
    observer.fail(err);
  });
  process.on('unhandledRejection', (err) => {
    observer.fail(err);
  });
  const signalled = new Promise<undefined>((resolve) => {
    onShutdown(SHUTDOWN_SIGNALS, () => {
      resolve(undefined);
    });
  });
  const failure = await Promise.race([signalled, observer.failed]);
  await observer.stop();
  await server.close();
  if (failure !== undefined) {
    process.stdout.write(`observer: stopped on an error${summary(observer)}\n`);
    throw failure;
  }
  process.stdout.write(`observer: detached and stopped${summary(observer)}\n`);
  return 0;
}

runMain('observer', () => main(process.argv.slice(2)));
