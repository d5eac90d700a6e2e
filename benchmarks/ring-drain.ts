/**
 * The ring-buffer drain in TypeScript against libbpf's own C consumer
 * (ring_buffer__consume), on the same ring buffer pre-filled by the same kernel program:
 * a synthetic producer's write() calls, with nobody draining. Alternating runs; prints the
 * median events/s of each and the ratio TypeScript / C.
 *
 *   npm run bench:drain -- [--runs 5] [--ring 128M]
 */
import path from 'node:path';
import { median } from '@obscost/measure';
import {
  BpfObject,
  EventCounters,
  EventKind,
  mapRingBuffer,
  parseSize,
  PROGRAMS,
} from '@obscost/observer';
import { setting } from '@obscost/flags';
import { runToEnd, startChild } from '@obscost/process';
import { ROOT } from '@obscost/infra';
import { benchmarkFlags, flag } from './settings.js';

const WRITE_LOOP = path.join(ROOT, 'services/observer/native/build/write-loop');
const C_DRAIN = path.join(ROOT, 'services/observer/native/build/ringbuf-drain');
/** A 32-byte event takes 40 bytes of ring buffer with its header. */
const RECORD_BYTES = 40;

const values = benchmarkFlags('bench:drain', "The ring-buffer drain against libbpf's C consumer.", {
  runs: flag.runs(5),
  ring: setting.custom({
    flag: 'ring',
    placeholder: 'S',
    default: '128M',
    help: 'the ring buffer, a power of 2 from 4K to 1G',
    parse: (text, name) => parseSize(text, name),
  }),
});
const { runs, ring: ringBytes } = values;
const events = Math.floor((ringBytes / RECORD_BYTES) * 0.95);

const bpf = BpfObject.open(path.join(ROOT, 'bpf/build/observer.bpf.o'), {
  btfPath: '/sys/kernel/btf/vmlinux',
  mapSizes: { events: ringBytes },
  // The write tracepoint alone: a kernel refuses some of the others (kprobes, fexit).
  skipPrograms: Object.values(PROGRAMS).filter((name) => name !== PROGRAMS.writeExit),
});
bpf.load();
const links = [bpf.attach(PROGRAMS.writeExit)];
const ring = mapRingBuffer(bpf.mapFd('events'), ringBytes);
const mapId = bpf.mapId('events');
const tty = process.stderr.isTTY;

/** Runs the producer for `events` writes with nobody draining. */
async function prefill(): Promise<void> {
  const producer = startChild(WRITE_LOOP, [String(events), '1'], { stdin: 'pipe' });
  bpf.setElement('targets', producer.pid ?? 0, 1);
  producer.process.stdin?.end('go\n');
  if ((await producer.exited) !== 0) throw new Error('the producer failed');
  bpf.deleteElement('targets', producer.pid ?? 0);
}

function check(drained: number, kind: string): void {
  if (drained !== events) throw new Error(`${kind} drained ${drained} events, expected ${events}`);
}

/** One set of counters for every run, as the observer keeps one for its lifetime. */
const counters = new EventCounters();

async function drainInTypeScript(): Promise<number> {
  await prefill();
  const before = counters.eventsOf(EventKind.WRITE);
  const start = process.hrtime.bigint();
  ring.reader.drain(counters.visit);
  const ns = Number(process.hrtime.bigint() - start);
  check(counters.eventsOf(EventKind.WRITE) - before, 'TypeScript');
  return (events / ns) * 1e9;
}

async function drainInC(): Promise<number> {
  await prefill();
  const { code, stdout, stderr } = await runToEnd(C_DRAIN, [String(mapId)]);
  if (code !== 0) throw new Error(`ringbuf-drain exited with code ${code}: ${stderr.trim()}`);
  const [count, , ns] = stdout.trim().split(' ').map(Number);
  check(count ?? 0, 'C');
  return (events / (ns ?? NaN)) * 1e9;
}

const typescript: number[] = [];
const c: number[] = [];
try {
  // The observer drains all the time, so its loop runs fully optimized; V8 gets there only
  // after a few calls (the first run through on-stack replacement is about half as fast),
  // so three unmeasured runs come first.
  for (let i = 0; i < 3; i++) await drainInTypeScript();
  for (let i = 1; i <= runs; i++) {
    if (tty) process.stderr.write(`\r\x1b[2K  run ${i}/${runs}`);
    typescript.push(await drainInTypeScript());
    c.push(await drainInC());
  }
} finally {
  if (tty) process.stderr.write('\r\x1b[2K');
  for (const link of links) link.destroy();
  ring.unmap();
  bpf.close();
}
const show = (rates: number[]): string => rates.map((r) => (r / 1e6).toFixed(1)).join(' ');
process.stdout.write(
  `${events} pre-filled 32-byte events (ring buffer ${ringBytes / 2 ** 20} MiB), ${runs} runs each, alternating\n` +
    `TypeScript drain      median ${(median(typescript) / 1e6).toFixed(1)} M events/s   runs: ${show(typescript)}\n` +
    `C ring_buffer__consume median ${(median(c) / 1e6).toFixed(1)} M events/s   runs: ${show(c)}\n` +
    `TypeScript / C        ${(median(typescript) / median(c)).toFixed(3)}\n`,
);
