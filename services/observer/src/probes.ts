import { existsSync } from 'node:fs';
import { BpfObject, type Link } from './bpf-object.js';
import type { TcpProbe } from './config.js';
import { TRACEFS } from './preflight.js';

/** The programs of bpf/observer.bpf.c, by their C names. */
export const PROGRAMS = {
  writeExit: 'write_exit',
  writevExit: 'writev_exit',
  tcpKprobe: 'tcp_send_kprobe',
  tcpTracepoint: 'tcp_send_tracepoint',
  uprobe: 'app_write_uprobe',
} as const;

export const TCP_PROBE_MODES = {
  kprobe: 'kprobe/tcp_sendmsg',
  tracepoint: 'tracepoint/sock/sock_send_length',
} as const;
export type TcpProbeMode = (typeof TCP_PROBE_MODES)[keyof typeof TCP_PROBE_MODES];

/** Whether this kernel can attach kprobes (CONFIG_KPROBES with kprobe events). */
export function kernelHasKprobes(): boolean {
  return existsSync(`${TRACEFS}/kprobe_events`);
}

/** The TCP send probe this kernel gets: --tcp-probe auto takes the kprobe where there is one. */
export function chooseTcpProbe(choice: TcpProbe, hasKprobes = kernelHasKprobes()): TcpProbeMode {
  const kprobe = choice === 'kprobe' || (choice === 'auto' && hasKprobes);
  return kprobe ? TCP_PROBE_MODES.kprobe : TCP_PROBE_MODES.tracepoint;
}

function tcpProgram(mode: TcpProbeMode): string {
  return mode === TCP_PROBE_MODES.kprobe ? PROGRAMS.tcpKprobe : PROGRAMS.tcpTracepoint;
}

/** The programs loaded and attached with this TCP probe: write, writev, TCP send, the uprobe. */
export function programsFor(mode: TcpProbeMode, uprobe: boolean): string[] {
  const programs = [PROGRAMS.writeExit, PROGRAMS.writevExit, tcpProgram(mode)];
  return uprobe ? [...programs, PROGRAMS.uprobe] : programs;
}

export interface LoadOptions {
  readonly bpfObject: string;
  readonly btfPath: string;
  readonly ringBufferBytes: number;
  /** Whether the uprobe's program is loaded (it is attached per target). */
  readonly uprobe: boolean;
}

/**
 * Opens and loads the object with its ring buffer sized and the other TCP program left
 * out (a kernel without kprobes would refuse to load the kprobe one), and the uprobe's
 * program too when it is off.
 */
export function loadPrograms(options: LoadOptions, mode: TcpProbeMode): BpfObject {
  const loaded = programsFor(mode, options.uprobe);
  const bpf = BpfObject.open(options.bpfObject, {
    btfPath: options.btfPath,
    mapSizes: { events: options.ringBufferBytes },
    skipPrograms: Object.values(PROGRAMS).filter((name) => !loaded.includes(name)),
  });
  try {
    bpf.load();
  } catch (err) {
    bpf.close();
    throw err;
  }
  return bpf;
}

/** Attaches the probes every target shares: the write and writev exits and the TCP send. */
export function attachProbes(bpf: BpfObject, mode: TcpProbeMode): Link[] {
  const links: Link[] = [];
  try {
    for (const name of [PROGRAMS.writeExit, PROGRAMS.writevExit, tcpProgram(mode)]) {
      links.push(bpf.attach(name));
    }
  } catch (err) {
    for (const link of links) link.destroy();
    throw err;
  }
  return links;
}

export interface UprobeOptions {
  readonly uprobeLibrary: string;
  readonly uprobeSymbol: string;
}

/** The marker's uprobe for one target only: other processes loading the library take no trap. */
export function attachUprobe(bpf: BpfObject, pid: number, options: UprobeOptions): Link {
  return bpf.attachUprobe(PROGRAMS.uprobe, pid, options.uprobeLibrary, options.uprobeSymbol);
}
