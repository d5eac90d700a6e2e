import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { brokersFlag, bytesOf, integerFlag, sizeFlag, topicFlag, UsageError } from '@obscost/flags';
import { ObserverError } from './errors.js';
import { PAGE_SIZE } from './ring-buffer.js';
import { MAX_SEND_BYTES, type Compression } from './kafka-sink.js';
import type { TargetSpec } from './targets.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

export type TcpProbe = 'auto' | 'kprobe' | 'tracepoint';

export interface ObserverConfig {
  readonly target: TargetSpec;
  readonly host: string;
  readonly port: number;
  readonly ringBufferBytes: number;
  readonly tcpProbe: TcpProbe;
  readonly uprobeLibrary: string;
  readonly uprobeSymbol: string;
  readonly bpfObject: string;
  readonly btfPath: string;
  /** The drain polls at most this far apart when idle, in ms. */
  readonly maxPollIntervalMs: number;
  /** Where events go: Kafka unless --no-kafka, and a capture file if given. */
  readonly kafka: KafkaConfig | undefined;
  readonly captureFile: string | undefined;
  readonly observerId: string;
  readonly batchBytes: number;
  readonly batchAgeMs: number;
}

export interface KafkaConfig {
  readonly brokers: string[];
  readonly topic: string;
  readonly compression: Compression;
  readonly bufferBytes: number;
  /** How long SIGTERM waits for buffered batches to reach Kafka, in ms. */
  readonly flushTimeoutMs: number;
}

export const USAGE = `usage: npm run observer -- (--pid N | --pidfile FILE | --comm NAME) [options]

Loads the CO-RE eBPF observer, counts what the target writes, sends over TCP and reports
through its app_write marker, and serves the counts at http://HOST:PORT/metrics.

  --pid N                  the target process
  --pidfile FILE           the target's pid, read again every second (follows restarts)
  --comm NAME              every process with this command name (follows restarts)
  --host H, --port P       metrics address (default 127.0.0.1:9100, or OBSERVER_PORT)
  --ring-buffer-size S     bytes, a power of 2 from 4K, e.g. 16M (default 16M)
  --tcp-probe P            auto, kprobe or tracepoint (default auto: kprobe where the
                           kernel has kprobes)
  --uprobe-lib FILE        library holding the marker (default the app's)
  --uprobe-symbol NAME     marker function (default app_write)
  --bpf-object FILE        the compiled BPF object (default bpf/build/observer.bpf.o)
  --btf FILE               the kernel's BTF (default /sys/kernel/btf/vmlinux)
  --max-poll-interval MS   longest idle pause of the ring-buffer drain (default 10)

  Forwarding (every event, as Avro batches; see README):
  --kafka-brokers LIST     host:port,... (default KAFKA_BROKERS or 127.0.0.1:9092)
  --topic T                (default KAFKA_EVENTS_TOPIC or obscost.events)
  --no-kafka               metrics only (and --capture, if given)
  --capture FILE           also write every batch to an Avro container file
  --batch-bytes S          a batch closes at this size (default 64K)
  --batch-age MS           or at this age (default 5)
  --buffer-bytes S         batches waiting for Kafka, at most (default 64M)
  --compression C          none or gzip (default none)
  --flush-timeout MS       on SIGTERM, wait this long for Kafka (default 5000)
  --observer-id ID         names this observer in every batch (default HOST:PID)`;

function usage(message: string): ObserverError {
  return new ObserverError('OBS_USAGE', message);
}

export function parseSize(text: string): number {
  const bytes = bytesOf(text);
  if (
    !Number.isSafeInteger(bytes) ||
    bytes < PAGE_SIZE ||
    (bytes & (bytes - 1)) !== 0 ||
    bytes > 2 ** 30
  ) {
    throw usage(`--ring-buffer-size must be a power of 2 from 4K to 1G, got "${text}"`);
  }
  return bytes;
}

/** Reads the flags; every bad value is an OBS_USAGE error naming it. */
export function parseObserverArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): ObserverConfig | undefined {
  try {
    return parseFlags(argv, env);
  } catch (err) {
    throw err instanceof UsageError ? usage(err.message) : err;
  }
}

function parseFlags(argv: string[], env: NodeJS.ProcessEnv): ObserverConfig | undefined {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        pid: { type: 'string' },
        pidfile: { type: 'string' },
        comm: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: env.OBSERVER_PORT ?? '9100' },
        'ring-buffer-size': { type: 'string', default: '16M' },
        'tcp-probe': { type: 'string', default: 'auto' },
        'uprobe-lib': {
          type: 'string',
          default: path.join(ROOT, 'services/app/native/build/libappmarker.so'),
        },
        'uprobe-symbol': { type: 'string', default: 'app_write' },
        'bpf-object': { type: 'string', default: path.join(ROOT, 'bpf/build/observer.bpf.o') },
        btf: { type: 'string', default: '/sys/kernel/btf/vmlinux' },
        'max-poll-interval': { type: 'string', default: '10' },
        'kafka-brokers': { type: 'string', default: env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
        topic: { type: 'string', default: env.KAFKA_EVENTS_TOPIC ?? 'obscost.events' },
        'no-kafka': { type: 'boolean', default: false },
        capture: { type: 'string' },
        'batch-bytes': { type: 'string', default: '64K' },
        'batch-age': { type: 'string', default: '5' },
        'buffer-bytes': { type: 'string', default: '64M' },
        compression: { type: 'string', default: 'none' },
        'flush-timeout': { type: 'string', default: '5000' },
        'observer-id': { type: 'string', default: `${hostname()}:${process.pid}` },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    throw usage((err as Error).message.split('\n')[0] ?? 'bad flags');
  }
  if (values.help) return undefined;
  const given = (['pid', 'pidfile', 'comm'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length !== 1) {
    throw usage('name the target with exactly one of --pid, --pidfile or --comm');
  }
  const target: TargetSpec =
    values.pid !== undefined
      ? { pid: integerFlag('pid', values.pid, 1, 2 ** 22) }
      : values.pidfile !== undefined
        ? { pidfile: values.pidfile }
        : { comm: values.comm ?? '' };
  const tcpProbe = values['tcp-probe'];
  if (tcpProbe !== 'auto' && tcpProbe !== 'kprobe' && tcpProbe !== 'tracepoint') {
    throw usage(`--tcp-probe must be auto, kprobe or tracepoint, got "${tcpProbe}"`);
  }
  return Object.freeze({
    target,
    host: values.host,
    port: integerFlag('port', values.port, 0, 65535),
    ringBufferBytes: parseSize(values['ring-buffer-size']),
    tcpProbe,
    uprobeLibrary: path.resolve(values['uprobe-lib']),
    uprobeSymbol: values['uprobe-symbol'],
    bpfObject: path.resolve(values['bpf-object']),
    btfPath: values.btf,
    maxPollIntervalMs: integerFlag('max-poll-interval', values['max-poll-interval'], 1, 1000),
    kafka: values['no-kafka'] ? undefined : kafkaConfig(values),
    captureFile: values.capture === undefined ? undefined : path.resolve(values.capture),
    observerId: values['observer-id'],
    batchBytes: sizeFlag('batch-bytes', values['batch-bytes'], 1024, MAX_SEND_BYTES / 2),
    batchAgeMs: integerFlag('batch-age', values['batch-age'], 1, 60_000),
  });
}

function kafkaConfig(values: {
  'kafka-brokers': string;
  topic: string;
  compression: string;
  'buffer-bytes': string;
  'flush-timeout': string;
}): KafkaConfig {
  const compression = values.compression;
  if (compression !== 'none' && compression !== 'gzip') {
    throw usage(`--compression must be none or gzip, got "${compression}"`);
  }
  return {
    brokers: brokersFlag('kafka-brokers', values['kafka-brokers']),
    topic: topicFlag('topic', values.topic),
    compression,
    bufferBytes: sizeFlag('buffer-bytes', values['buffer-bytes'], 64 * 1024, 2 ** 32),
    flushTimeoutMs: integerFlag('flush-timeout', values['flush-timeout'], 0, 600_000),
  };
}
