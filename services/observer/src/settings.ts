import { hostname } from 'node:os';
import path from 'node:path';
import { MARKER_SYMBOLS, TOPICS } from '@obscost/events';
import {
  bytesOf,
  choiceListRule,
  kafkaClientSettings,
  LOOPBACK,
  PORTS,
  setting,
  SettingError,
  usageText,
} from '@obscost/flags';
import { MAX_SEND_BYTES, type Compression } from './kafka-sink.js';
import { MODES, PROBES, TCP_PROBES, UPROBE_ABIS, WRITE_PROBES } from './probe-vocabulary.js';
import { PAGE_SIZE } from './ring-buffer.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

/** A ring buffer's size: a power of 2 (the kernel's rule), from a page to 1 GiB. */
export function parseSize(text: string, name = '--ring-buffer-size'): number {
  const bytes = bytesOf(text);
  if (
    !Number.isSafeInteger(bytes) ||
    bytes < PAGE_SIZE ||
    (bytes & (bytes - 1)) !== 0 ||
    bytes > 2 ** 30
  ) {
    throw new SettingError(`${name} must be a power of 2 from 4K to 1G, got "${text}"`);
  }
  return bytes;
}

const COMPRESSIONS = ['none', 'gzip'] as const satisfies readonly Compression[];
const ON_OFF = ['on', 'off'] as const;

/** Every flag and environment variable of the observer: its parser, --help and docs table. */
export const SETTINGS = {
  pid: setting.integer({
    flag: 'pid',
    placeholder: 'N',
    min: 1,
    max: 2 ** 22,
    help: 'the target process',
  }),
  tree: setting.integer({
    flag: 'tree',
    placeholder: 'N',
    min: 1,
    max: 2 ** 22,
    help: 'the target process and every process it starts, followed from their fork',
  }),
  pidfile: setting.text({
    flag: 'pidfile',
    placeholder: 'FILE',
    help: "the target's pid, read again every second (follows restarts)",
  }),
  comm: setting.text({
    flag: 'comm',
    placeholder: 'NAME',
    help: 'every process with this command name, looked for every second (follows restarts)',
  }),
  uid: setting.integer({
    flag: 'uid',
    placeholder: 'UID',
    min: 0,
    max: 2 ** 32 - 2,
    help: "follow only this user's processes; a pid file may be theirs as well as root's",
  }),
  host: setting.text({
    flag: 'host',
    placeholder: 'H',
    default: LOOPBACK,
    help: 'metrics address',
  }),
  hostName: setting.text({
    flag: 'host-name',
    env: 'OBSERVER_HOST_NAME',
    placeholder: 'NAME',
    default: () => hostname(),
    defaultDoc: 'HOSTNAME',
    help: "the host every batch names, the aggregator's `host` label (a node's name in Kubernetes)",
  }),
  port: setting.integer({
    flag: 'port',
    env: 'OBSERVER_PORT',
    placeholder: 'P',
    default: String(PORTS.observer),
    min: 0,
    max: 65535,
    help: 'metrics port',
  }),
  mode: setting.choice({
    flag: 'mode',
    placeholder: 'M',
    default: 'ring',
    help: 'ring: every event through the ring buffer (and to Kafka); count: counted in the kernel, totals on /metrics only',
    choices: MODES,
  }),
  ringBufferBytes: setting.custom({
    flag: 'ring-buffer-size',
    placeholder: 'S',
    default: '16M',
    help: 'ring buffer bytes, a power of 2 from 4K to 1G',
    parse: (text, name) => parseSize(text, name),
  }),
  tcpProbe: setting.choice({
    flag: 'tcp-probe',
    placeholder: 'P',
    default: 'auto',
    help: 'the TCP send probe: auto (kprobe where the kernel has kprobes), kprobe or tracepoint',
    choices: TCP_PROBES,
  }),
  writeProbe: setting.choice({
    flag: 'write-probe',
    placeholder: 'P',
    default: 'auto',
    help: 'the write probe: auto (fexit where the kernel lets it attach, else the tracepoints), fexit or tracepoint',
    choices: WRITE_PROBES,
  }),
  probes: setting.custom({
    flag: 'probes',
    placeholder: 'LIST',
    default: PROBES.join(','),
    help: "the probes attached, comma-separated: write (write/writev exits), tcp (TCP sends), uprobe (the app's marker; needs CAP_SYS_ADMIN since Linux 6.16)",
    parse: (text, name) => choiceListRule(name, text, PROBES, 'probe'),
  }),
  uprobeLibrary: setting.path({
    flag: 'uprobe-lib',
    placeholder: 'FILE',
    default: path.join(ROOT, 'services/app/native/build/libappmarker.so'),
    defaultDoc: 'services/app/native/build/libappmarker.so',
    help: "the library holding the app's marker",
  }),
  uprobeSymbol: setting.text({
    flag: 'uprobe-symbol',
    placeholder: 'NAME',
    default: MARKER_SYMBOLS.nop5,
    help: `the marker function (the app's ${MARKER_SYMBOLS.plain} with APP_MARKER=plain)`,
  }),
  uprobeAbi: setting.choice({
    flag: 'uprobe-abi',
    placeholder: 'c|go',
    default: 'c',
    help: "the marker's calling convention: go for a Go function (its argument in Go's register ABI)",
    choices: UPROBE_ABIS,
  }),
  bpfObject: setting.path({
    flag: 'bpf-object',
    placeholder: 'FILE',
    default: path.join(ROOT, 'bpf/build/observer.bpf.o'),
    defaultDoc: 'bpf/build/observer.bpf.o',
    help: 'the compiled BPF object',
  }),
  btfPath: setting.text({
    flag: 'btf',
    placeholder: 'FILE',
    default: '/sys/kernel/btf/vmlinux',
    help: "the kernel's BTF, which CO-RE reads",
  }),
  bpfStats: setting.choice({
    flag: 'bpf-stats',
    placeholder: 'on|off',
    default: 'off',
    help: "the kernel's run time per BPF program (observer_bpf_program_*); needs CAP_SYS_ADMIN, adds ~100 ns to every BPF program run on the host",
    choices: ON_OFF,
  }),
  maxPollIntervalMs: setting.integer({
    flag: 'max-poll-interval',
    placeholder: 'MS',
    default: '10',
    min: 1,
    max: 1000,
    help: 'longest idle pause of the ring-buffer drain',
  }),
  ...kafkaClientSettings({
    brokersHelp: 'where every event goes, as Avro batches: host:port,...',
    topicHelp: 'the events topic',
    defaultTopic: TOPICS.events,
  }),
  noKafka: setting.switch({ flag: 'no-kafka', help: 'metrics only (and --capture, if given)' }),
  captureFile: setting.path({
    flag: 'capture',
    placeholder: 'FILE',
    help: 'also write every batch to an Avro object container file (a new one)',
  }),
  overwriteCapture: setting.switch({
    flag: 'overwrite-capture',
    help: 'let --capture replace an existing file (once the capture begins)',
  }),
  batchBytes: setting.size({
    flag: 'batch-bytes',
    placeholder: 'S',
    default: '64K',
    min: 1024,
    max: MAX_SEND_BYTES / 2,
    help: 'a batch closes at this size (256K at most)',
  }),
  batchAgeMs: setting.integer({
    flag: 'batch-age',
    placeholder: 'MS',
    default: '5',
    min: 1,
    max: 60_000,
    help: 'a batch also closes when its first event is this old',
  }),
  bufferBytes: setting.size({
    flag: 'buffer-bytes',
    placeholder: 'S',
    default: '64M',
    min: 64 * 1024,
    max: 2 ** 32,
    help: 'batches waiting for Kafka, at most',
  }),
  compression: setting.choice({
    flag: 'compression',
    placeholder: 'C',
    default: 'none',
    help: "each send's compression: none or gzip",
    choices: COMPRESSIONS,
  }),
  flushTimeoutMs: setting.integer({
    flag: 'flush-timeout',
    placeholder: 'MS',
    default: '5000',
    min: 0,
    max: 600_000,
    help: 'on SIGTERM, wait this long for the buffered batches to reach Kafka',
  }),
  observerId: setting.text({
    flag: 'observer-id',
    placeholder: 'ID',
    default: () => `${hostname()}:${process.pid}`,
    defaultDoc: 'HOST:PID',
    help: "names this observer in every batch, and is every record's key",
  }),
} as const;

export const USAGE = usageText(SETTINGS, {
  usage: 'npm run observer -- (--pid N | --tree N | --pidfile FILE | --comm NAME) [options]',
  about:
    'Loads the CO-RE eBPF observer, counts what the target writes, sends over TCP and reports ' +
    'through its app_write marker, serves the counts at http://HOST:PORT/metrics, and ' +
    'forwards every event to Kafka as Avro batches (docs/observer.md).',
});
