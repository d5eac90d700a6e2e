import { parseSettings, takeKafkaSecurity, type KafkaClientSecurity } from '@obscost/flags';
import { ObserverError } from './errors.js';
import type { Compression } from './kafka-sink.js';
import type { ObserverMode, Probe, TcpProbe, UprobeAbi, WriteProbe } from './probe-vocabulary.js';
import { PAGE_SIZE } from './ring-buffer.js';
import { SETTINGS } from './settings.js';
import type { TargetSpec } from './targets.js';

export interface ObserverConfig {
  readonly target: TargetSpec;
  /** --uid: only this user's processes are followed. */
  readonly uid: number | undefined;
  readonly host: string;
  /** The host every batch names (`--host-name`). */
  readonly hostName: string;
  readonly port: number;
  readonly mode: ObserverMode;
  /** In count mode the smallest there is: the object has it, nothing writes to it. */
  readonly ringBufferBytes: number;
  readonly tcpProbe: TcpProbe;
  readonly writeProbe: WriteProbe;
  /** The probes attached: the uprobe is attached to each target on its marker. */
  readonly probes: readonly Probe[];
  readonly uprobeLibrary: string;
  readonly uprobeSymbol: string;
  readonly uprobeAbi: UprobeAbi;
  /** --tree: the target's children are put in the targets map at their fork, by the kernel. */
  readonly followForks: boolean;
  readonly bpfObject: string;
  readonly btfPath: string;
  /**
   * Whether the kernel's BPF run-time statistics are on while the observer runs: they need
   * CAP_SYS_ADMIN and cost every run of every BPF program on the host about 100 ns.
   */
  readonly bpfStats: boolean;
  /** The drain polls at most this far apart when idle, in ms. */
  readonly maxPollIntervalMs: number;
  /** Where events go: Kafka unless --no-kafka or --mode count, and a capture file if given. */
  readonly kafka: KafkaConfig | undefined;
  readonly captureFile: string | undefined;
  /** Whether --capture may replace an existing file. */
  readonly overwriteCapture: boolean;
  readonly observerId: string;
  readonly batchBytes: number;
  readonly batchAgeMs: number;
}

export interface KafkaConfig {
  readonly brokers: string[];
  /** TLS and SASL options of the producer. */
  readonly security: KafkaClientSecurity;
  readonly topic: string;
  readonly compression: Compression;
  readonly bufferBytes: number;
  /** How long SIGTERM waits for buffered batches to reach Kafka, in ms. */
  readonly flushTimeoutMs: number;
}

function usage(message: string): ObserverError {
  return new ObserverError('OBS_USAGE', message);
}

/**
 * Reads the flags and the environment against SETTINGS; every bad value is an OBS_USAGE
 * error naming it. Undefined for --help.
 */
export function parseObserverArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ObserverConfig | undefined {
  const { values, help } = parseSettings(SETTINGS, argv, { env, usageError: usage });
  if (help) return undefined;
  const targets = [
    values.pid === undefined ? [] : [{ pid: values.pid }],
    values.tree === undefined ? [] : [{ tree: values.tree }],
    values.pidfile === undefined ? [] : [{ pidfile: values.pidfile }],
    values.comm === undefined ? [] : [{ comm: values.comm }],
  ].flat();
  const [target] = targets;
  if (target === undefined || targets.length !== 1) {
    throw usage('name the target with exactly one of --pid, --tree, --pidfile or --comm');
  }
  const counting = values.mode === 'count';
  if (counting && values.captureFile !== undefined) {
    throw usage('--capture needs --mode ring: in count mode no event leaves the kernel');
  }
  const { brokers, topic, compression, bufferBytes, flushTimeoutMs } = values;
  const { security } = takeKafkaSecurity(values, usage);
  return Object.freeze({
    target: Object.freeze(target),
    followForks: 'tree' in target,
    uid: values.uid,
    host: values.host,
    hostName: values.hostName,
    port: values.port,
    mode: values.mode,
    ringBufferBytes: counting ? PAGE_SIZE : values.ringBufferBytes,
    tcpProbe: values.tcpProbe,
    writeProbe: values.writeProbe,
    probes: Object.freeze(values.probes),
    uprobeLibrary: values.uprobeLibrary,
    uprobeSymbol: values.uprobeSymbol,
    uprobeAbi: values.uprobeAbi,
    bpfObject: values.bpfObject,
    btfPath: values.btfPath,
    bpfStats: values.bpfStats === 'on',
    maxPollIntervalMs: values.maxPollIntervalMs,
    kafka:
      values.noKafka || counting
        ? undefined
        : Object.freeze({ brokers, security, topic, compression, bufferBytes, flushTimeoutMs }),
    captureFile: values.captureFile,
    overwriteCapture: values.overwriteCapture,
    observerId: values.observerId,
    batchBytes: values.batchBytes,
    batchAgeMs: values.batchAgeMs,
  });
}
