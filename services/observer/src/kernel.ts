import type { EventKind } from '@obscost/events';
import type { BpfObject, Link } from './bpf-object.js';
import {
  WRITE_PROBE_MODES,
  type TcpProbe,
  type TcpProbeMode,
  type WriteProbe,
  type WriteProbeMode,
} from './probe-vocabulary.js';
import { ObserverError } from './errors.js';
import { KernelCounts } from './kernel-counts.js';
import { KernelStats, perCpuSum, type ProgramStats } from './kernel-stats.js';
import {
  attachProbes,
  attachUprobe,
  chooseTcpProbe,
  loadPrograms,
  objectFor,
  programsFor,
  writeProbeChoices,
  type LoadOptions,
  type ProbeModes,
  type UprobeOptions,
} from './probes.js';
import { mapRingBuffer, type RingBufferReader } from './ring-buffer.js';

/**
 * The observer's kernel side, all the rest of the observer sees of BPF: the real one loads
 * the programs into the kernel; tests put a fake ring buffer behind the same interface.
 */
export interface KernelSide {
  /** The TCP send probe attached. */
  readonly tcpMode: TcpProbeMode;
  /** The object file loaded: --bpf-object, or its build without the kfunc (objectFor). */
  readonly bpfObject: string;
  /** The write probe attached; with --write-probe auto, why fexit was not, if it was refused. */
  readonly writeMode: WriteProbeMode;
  readonly writeRefusal?: string | undefined;
  /**
   * Observes `pid` from now on: in the kernel's targets map, and with a uprobe of its own (if
   * asked). Throws OBS_TARGETS_FULL when the map holds all it can, or the attach's error; either
   * way nothing of `pid` is left half added.
   */
  addTarget(pid: number): void;
  removeTarget(pid: number): void;
  readonly ring: Pick<RingBufferReader, 'drain' | 'pending'>;
  /** In count mode, the kernel's totals; in ring mode none: the events are in the ring. */
  readonly counts: KernelCounts | undefined;
  /** Events the kernel could not put in the ring buffer, by kind. */
  drops(kind: EventKind): number;
  /** The kernel's run time and run count of each attached program; none with the statistics off. */
  programStats(): Record<string, ProgramStats>;
  /** Detaches every probe: no event is produced after this. */
  detach(): void;
  /** Unmaps the ring buffer, stops the run-time statistics (if on) and closes the object. */
  close(): void;
}

export interface KernelOptions extends LoadOptions, UprobeOptions {
  readonly tcpProbe: TcpProbe;
  readonly writeProbe: WriteProbe;
  /** Turns the kernel's BPF run-time statistics on for as long as the kernel side is open. */
  readonly bpfStats: boolean;
}

/**
 * Loads the programs, attaches the shared probes and maps the ring buffer. With --write-probe
 * auto the fexit write probe is tried first: a kernel that refuses it (too old, no trampolines,
 * or a hypervisor's refusal) gets the tracepoints, and the refusal is kept to be told.
 */
export function openKernel(given: KernelOptions): KernelSide {
  // Chosen once: it parses the kernel's BTF, and a fallback below loads the same object.
  const options = { ...given, bpfObject: objectFor(given.bpfObject, given.btfPath) };
  const tcp = chooseTcpProbe(options.tcpProbe);
  const [write, fallback] = options.probes.includes('write')
    ? writeProbeChoices(options.writeProbe)
    : [WRITE_PROBE_MODES.tracepoint];
  try {
    return openWith(options, { tcp, write });
  } catch (err) {
    if (fallback === undefined) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    return openWith(options, { tcp, write: fallback }, `${write} refused: ${reason}`);
  }
}

function openWith(options: KernelOptions, modes: ProbeModes, writeRefusal?: string): KernelSide {
  const bpf = loadPrograms(options, modes);
  try {
    return new BpfKernel(bpf, modes, options, writeRefusal);
  } catch (err) {
    bpf.close();
    throw err;
  }
}

/** observer.bpf.c's single_target, in a section of its own. */
const SINGLE_TARGET = '.data.target';

class BpfKernel implements KernelSide {
  readonly ring: RingBufferReader;
  readonly counts: KernelCounts | undefined;
  private readonly unmap: () => void;
  private readonly stats: KernelStats | undefined;
  private readonly dropsFd: number;
  private readonly links: Link[];
  private readonly uprobes = new Map<number, Link>();
  private readonly targets = new Set<number>();
  private readonly maxTargets: number;
  /** Whether the object has observer.bpf.c's single_target (an older --bpf-object has not). */
  private readonly hasSingleTarget: boolean;

  readonly tcpMode: TcpProbeMode;
  readonly writeMode: WriteProbeMode;
  readonly bpfObject: string;

  constructor(
    private readonly bpf: BpfObject,
    private readonly modes: ProbeModes,
    private readonly options: KernelOptions,
    readonly writeRefusal?: string,
  ) {
    this.tcpMode = modes.tcp;
    this.writeMode = modes.write;
    this.bpfObject = options.bpfObject;
    this.dropsFd = bpf.mapFd('drops');
    // Following forks, the kernel adds targets on its own: the map is the only truth.
    this.hasSingleTarget = bpf.hasMap(SINGLE_TARGET) && !options.followForks;
    this.maxTargets = bpf.maxEntries('targets');
    this.counts = options.mode === 'count' ? new KernelCounts(bpf.mapFd('counts')) : undefined;
    const { reader, unmap } = mapRingBuffer(bpf.mapFd('events'), options.ringBufferBytes);
    this.ring = reader;
    this.unmap = unmap;
    this.stats = options.bpfStats ? new KernelStats() : undefined;
    try {
      this.links = attachProbes(bpf, modes, options);
    } catch (err) {
      this.stats?.close();
      unmap();
      throw err;
    }
  }

  addTarget(pid: number): void {
    if (this.targets.size >= this.maxTargets) {
      throw new ObserverError(
        'OBS_TARGETS_FULL',
        `cannot follow pid ${pid}: the targets map is full (${this.maxTargets} processes)`,
      );
    }
    // The uprobe first: it is the step that fails when the process has gone.
    const uprobe = this.options.probes.includes('uprobe')
      ? attachUprobe(this.bpf, pid, this.options)
      : undefined;
    try {
      // Back to the map, which holds every current target, until the new one is in it too.
      this.setSingleTarget(0);
      this.bpf.setElement('targets', pid, 1);
    } catch (err) {
      uprobe?.destroy();
      this.setSingleTarget(this.onlyTarget());
      throw err;
    }
    this.targets.add(pid);
    this.setSingleTarget(this.onlyTarget());
    if (uprobe) this.uprobes.set(pid, uprobe);
  }

  removeTarget(pid: number): void {
    this.uprobes.get(pid)?.destroy();
    this.uprobes.delete(pid);
    this.bpf.deleteElement('targets', pid);
    this.targets.delete(pid);
    this.setSingleTarget(this.onlyTarget());
  }

  private onlyTarget(): number {
    const [only = 0] = this.targets.size === 1 ? this.targets : [];
    return only;
  }

  /**
   * While one process alone is followed, the programs compare with its pid instead of
   * looking it up; with 0 they use the targets map.
   */
  private setSingleTarget(pid: number): void {
    if (!this.hasSingleTarget) return;
    const value = Buffer.alloc(4);
    value.writeUInt32LE(pid);
    this.bpf.setSection(SINGLE_TARGET, value);
  }

  drops(kind: EventKind): number {
    return perCpuSum(this.dropsFd, kind, 'drops');
  }

  programStats(): Record<string, ProgramStats> {
    const { stats } = this;
    if (stats === undefined) return {};
    return Object.fromEntries(
      programsFor(this.modes, this.options.probes, this.options.followForks).map((name) => [
        name,
        stats.program(this.bpf.programFd(name)),
      ]),
    );
  }

  detach(): void {
    for (const link of [...this.links.splice(0), ...this.uprobes.values()]) link.destroy();
    this.uprobes.clear();
  }

  close(): void {
    this.counts?.freeze();
    this.unmap();
    this.stats?.close();
    this.bpf.close();
  }
}
