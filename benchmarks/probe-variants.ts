/**
 * bench:probe-cost's variants: for each call of the loop, nothing attached first, then one part
 * of the observer more at a time, then the observer following another process.
 */
import path from 'node:path';
import { MARKER_SYMBOLS } from '@obscost/events';
import { ROOT } from '@obscost/infra';

const stageObject = (stage: string): string =>
  path.join(ROOT, `bpf/build/stages/observer-${stage}.bpf.o`);

export type Call = 'write' | 'getppid' | 'tcp' | 'marker' | 'plain-marker';

export interface Variant {
  name: string;
  call: Call;
  /** What is attached, in the table's words. */
  what: string;
  /** The observer's flags, or none for nothing attached. */
  observer?: string[];
  /** The observer follows the loop (true) or another process (false). */
  target?: boolean;
  /** Runs the fexit write probe, which a kernel may refuse: then the variant is left out. */
  fexit?: boolean;
}

// The write probe's variant named: --write-probe auto would choose by the kernel.
const TRACEPOINT = ['--write-probe', 'tracepoint'];
const FEXIT = ['--write-probe', 'fexit'];
const ALL = ['--probes', 'write,tcp,uprobe', ...TRACEPOINT];
const WRITE = ['--probes', 'write', ...TRACEPOINT];
const stage = (name: string): string[] => ['--bpf-object', stageObject(name)];

/** Each call's variants: nothing first, then one part more at a time. */
export const VARIANTS: Variant[] = [
  { name: 'write', call: 'write', what: 'nothing attached' },
  {
    name: 'write-attach',
    call: 'write',
    what: 'write exit, returns at once',
    observer: [...WRITE, ...stage('attach')],
    target: true,
  },
  {
    name: 'write-lookup',
    call: 'write',
    what: '+ target lookup',
    observer: [...WRITE, ...stage('lookup')],
    target: true,
  },
  {
    name: 'write-socket',
    call: 'write',
    what: '+ fd and socket check',
    observer: [...WRITE, ...stage('socket')],
    target: true,
  },
  {
    name: 'write-event',
    call: 'write',
    what: '+ event to the ring buffer',
    observer: WRITE,
    target: true,
  },
  {
    name: 'write-count',
    call: 'write',
    what: 'whole, counted in the kernel (--mode count)',
    observer: [...WRITE, '--mode', 'count'],
    target: true,
  },
  {
    name: 'write-stats',
    call: 'write',
    what: '+ BPF statistics (--bpf-stats on)',
    observer: [...WRITE, '--bpf-stats', 'on'],
    target: true,
  },
  {
    name: 'write-fexit-attach',
    call: 'write',
    what: 'fexit write probe, returns at once',
    observer: ['--probes', 'write', ...FEXIT, ...stage('attach')],
    target: true,
    fexit: true,
  },
  {
    name: 'write-fexit',
    call: 'write',
    what: 'fexit write probe, whole, event',
    observer: ['--probes', 'write', ...FEXIT],
    target: true,
    fexit: true,
  },
  {
    name: 'write-other',
    call: 'write',
    what: 'non-target: all probes',
    observer: ALL,
    target: false,
  },
  {
    name: 'write-other-stats',
    call: 'write',
    what: 'non-target: all probes, BPF statistics',
    observer: [...ALL, '--bpf-stats', 'on'],
    target: false,
  },
  {
    name: 'write-other-tcp-uprobe',
    call: 'write',
    what: 'non-target: tcp and uprobe only',
    observer: ['--probes', 'tcp,uprobe'],
    target: false,
  },
  { name: 'getppid', call: 'getppid', what: 'nothing attached' },
  {
    name: 'getppid-other',
    call: 'getppid',
    what: 'non-target: all probes',
    observer: ALL,
    target: false,
  },
  {
    name: 'getppid-other-fexit',
    call: 'getppid',
    what: 'non-target: all probes, fexit writes',
    observer: ['--probes', 'write,tcp,uprobe', ...FEXIT],
    target: false,
    fexit: true,
  },
  {
    name: 'getppid-other-tcp-uprobe',
    call: 'getppid',
    what: 'non-target: tcp and uprobe only',
    observer: ['--probes', 'tcp,uprobe'],
    target: false,
  },
  { name: 'tcp', call: 'tcp', what: 'nothing attached' },
  {
    name: 'tcp-attach',
    call: 'tcp',
    what: 'TCP send, returns at once',
    observer: ['--probes', 'tcp', ...stage('attach')],
    target: true,
  },
  {
    name: 'tcp-lookup',
    call: 'tcp',
    what: '+ target lookup',
    observer: ['--probes', 'tcp', ...stage('lookup')],
    target: true,
  },
  {
    name: 'tcp-event',
    call: 'tcp',
    what: '+ event to the ring buffer',
    observer: ['--probes', 'tcp'],
    target: true,
  },
  {
    name: 'tcp-count',
    call: 'tcp',
    what: 'whole, counted in the kernel (--mode count)',
    observer: ['--probes', 'tcp', '--mode', 'count'],
    target: true,
  },
  {
    name: 'tcp-all',
    call: 'tcp',
    what: 'all probes (write exit and TCP send, two events)',
    observer: ALL,
    target: true,
  },
  {
    name: 'tcp-other',
    call: 'tcp',
    what: 'non-target: all probes',
    observer: ALL,
    target: false,
  },
  { name: 'marker', call: 'marker', what: 'nothing attached' },
  {
    name: 'marker-attach',
    call: 'marker',
    what: 'uprobe on the nop5 marker, returns at once',
    observer: ['--probes', 'uprobe', ...stage('attach')],
    target: true,
  },
  {
    name: 'marker-event',
    call: 'marker',
    what: '+ event to the ring buffer',
    observer: ['--probes', 'uprobe'],
    target: true,
  },
  {
    name: 'marker-count',
    call: 'marker',
    what: 'whole, counted in the kernel (--mode count)',
    observer: ['--probes', 'uprobe', '--mode', 'count'],
    target: true,
  },
  { name: 'plain-marker', call: 'plain-marker', what: 'nothing attached' },
  {
    name: 'plain-marker-event',
    call: 'plain-marker',
    what: 'breakpoint uprobe on the plain marker, event',
    observer: ['--probes', 'uprobe', '--uprobe-symbol', MARKER_SYMBOLS.plain],
    target: true,
  },
];
