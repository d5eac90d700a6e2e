import { existsSync } from 'node:fs';
import { BpfObject, kernelHasFunction, type Link } from './bpf-object.js';
import {
  PROGRAMS,
  TCP_PROBE_MODES,
  TRACEFS,
  type ObserverMode,
  type Probe,
  type TcpProbe,
  type TcpProbeMode,
  type UprobeAbi,
  type WriteProbe,
  type WriteProbeMode,
  WRITE_PROBE_MODES,
} from './probe-vocabulary.js';

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

/** The write probes to try in turn: --write-probe auto tries fexit first, the tracepoints next. */
export function writeProbeChoices(choice: WriteProbe): [WriteProbeMode, WriteProbeMode?] {
  if (choice === 'auto') return [WRITE_PROBE_MODES.fexit, WRITE_PROBE_MODES.tracepoint];
  return [WRITE_PROBE_MODES[choice]];
}

function writePrograms(mode: WriteProbeMode): string[] {
  return mode === WRITE_PROBE_MODES.fexit
    ? [PROGRAMS.writeFexit, PROGRAMS.writevFexit]
    : [PROGRAMS.writeExit, PROGRAMS.writevExit];
}

/** The variant of each probe family attached. */
export interface ProbeModes {
  readonly tcp: TcpProbeMode;
  readonly write: WriteProbeMode;
}

/**
 * The programs of `probes` in these variants, and with `followForks` (--tree) those that
 * put the targets' children in the targets map and take exited processes out. The uprobe's
 * is loaded here but attached per target (attachUprobe); the others are attached once for
 * every target (attachProbes).
 */
export function programsFor(
  modes: ProbeModes,
  probes: readonly Probe[],
  followForks = false,
): string[] {
  const programs: Record<Probe, string[]> = {
    write: writePrograms(modes.write),
    tcp: [tcpProgram(modes.tcp)],
    uprobe: [PROGRAMS.uprobe],
  };
  const forks = followForks ? [PROGRAMS.followFork, PROGRAMS.forgetExit] : [];
  return [...probes.flatMap((probe) => programs[probe]), ...forks];
}

export interface LoadOptions {
  readonly mode: ObserverMode;
  readonly bpfObject: string;
  readonly btfPath: string;
  readonly ringBufferBytes: number;
  readonly probes: readonly Probe[];
  /** The marker's calling convention: C's, or Go's register ABI (its argument elsewhere). */
  readonly uprobeAbi: UprobeAbi;
  /** --tree: the targets' children are followed from their fork, in the kernel. */
  readonly followForks: boolean;
}

/** observer.bpf.c's count_mode and marker_go_abi, each in a section of its own: set whole before load. */
const MODE_SECTION = '.rodata.mode';
const ABI_SECTION = '.rodata.abi';
const ON = Buffer.from([1, 0, 0, 0]);

/** The object's build without the bpf_rdonly_cast kfunc, beside it (bpf/Makefile). */
export function compatObject(object: string): string {
  return object.replace(/\.bpf\.o$/, '-compat.bpf.o');
}

/**
 * The object this kernel can link: before Linux 6.2 it has no bpf_rdonly_cast kfunc, and
 * gets the object's build without it, where there is one (not an object of --bpf-object's).
 */
export function objectFor(object: string, btfPath: string): string {
  const compat = compatObject(object);
  if (compat === object || !existsSync(compat)) return object;
  return kernelHasFunction(btfPath, 'bpf_rdonly_cast') ? object : compat;
}

/**
 * Opens and loads the object in its mode, with its ring buffer sized and only the programs
 * of the probes asked for, in their variants: the other TCP and write programs are left out
 * (a kernel without kprobes would refuse to load the kprobe one), and so is every program of
 * a probe not asked for.
 */
export function loadPrograms(options: LoadOptions, modes: ProbeModes): BpfObject {
  const loaded = programsFor(modes, options.probes, options.followForks);
  const bpf = BpfObject.open(options.bpfObject, {
    btfPath: options.btfPath,
    mapSizes: { events: options.ringBufferBytes },
    // The defaults leave the object as built, so older objects (--bpf-object) still load.
    initialValues: {
      ...(options.mode === 'count' ? { [MODE_SECTION]: ON } : {}),
      ...(options.uprobeAbi === 'go' ? { [ABI_SECTION]: ON } : {}),
    },
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

/** Attaches the probes every target shares: all those asked for but the uprobe. */
export function attachProbes(
  bpf: BpfObject,
  modes: ProbeModes,
  { probes, followForks }: Pick<LoadOptions, 'probes' | 'followForks'>,
): Link[] {
  const links: Link[] = [];
  try {
    for (const name of programsFor(modes, probes, followForks)) {
      if (name !== PROGRAMS.uprobe) links.push(bpf.attach(name));
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
