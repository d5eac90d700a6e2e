import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { CaptureWriter, EventKind } from '@obscost/events';
import { Batcher, type ClosedBatch } from './batcher.js';
import { BpfObject, type Link } from './bpf-object.js';
import { missingCapabilities } from './capabilities.js';
import type { ObserverConfig } from './config.js';
import { EventCounters } from './counters.js';
import { ObserverError } from './errors.js';
import { KafkaSink } from './kafka-sink.js';
import { KernelStats, perCpuSum, type ProgramStats } from './kernel-stats.js';
import { mapRingBuffer, type RecordVisitor, type RingBufferReader } from './ring-buffer.js';
import { processName, requireTargets, resolveTargets } from './targets.js';

const TRACEFS = '/sys/kernel/tracing';

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

/**
 * The observer's kernel side and drain: loads and attaches the programs for the target's
 * processes, follows them as they come and go, and drains the ring buffer into counters
 * with an adaptive poll that never blocks the event loop.
 */
export class Observer {
  readonly counters = new EventCounters();
  /** Where every event goes besides the counters: Avro batches to Kafka and a capture file. */
  readonly batcher: Batcher | undefined;
  readonly sink: KafkaSink | undefined;
  private readonly capture: CaptureWriter | undefined;
  private readonly visit: RecordVisitor;
  private readonly links: Link[] = [];
  private readonly uprobes = new Map<number, Link>();
  private readonly dropsFd: number;
  private readonly reader: RingBufferReader;
  private readonly unmap: () => void;
  private readonly stats: KernelStats;
  private readonly followTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private idlePolls = 0;
  private stopped = false;

  private constructor(
    private readonly config: ObserverConfig,
    private readonly bpf: BpfObject,
    readonly tcpMode: TcpProbeMode,
    initialPids: number[],
  ) {
    this.dropsFd = bpf.mapFd('drops');
    const log = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };
    if (config.kafka) {
      this.sink = new KafkaSink(
        {
          brokers: config.kafka.brokers,
          topic: config.kafka.topic,
          key: config.observerId,
          compression: config.kafka.compression,
          maxBufferBytes: config.kafka.bufferBytes,
        },
        log,
      );
    }
    if (config.captureFile !== undefined) this.capture = new CaptureWriter(config.captureFile);
    if (this.sink || this.capture) {
      const forward = (batch: ClosedBatch): void => {
        this.capture?.write(batch.record);
        this.sink?.enqueue(batch);
      };
      const batcher = new Batcher(
        config.observerId,
        hostname(),
        config.batchBytes,
        config.batchAgeMs,
        forward,
      );
      this.batcher = batcher;
      const count = this.counters.visit;
      this.visit = (words, offset, length) => {
        if (count(words, offset, length)) batcher.add(words, offset);
      };
    } else {
      this.visit = this.counters.visit;
    }
    this.stats = new KernelStats();
    for (const pid of initialPids) this.addTarget(pid);
    for (const name of [PROGRAMS.writeExit, PROGRAMS.writevExit]) {
      this.links.push(bpf.attach(name));
    }
    this.links.push(
      bpf.attach(tcpMode === TCP_PROBE_MODES.kprobe ? PROGRAMS.tcpKprobe : PROGRAMS.tcpTracepoint),
    );
    const ring = mapRingBuffer(bpf.mapFd('events'), config.ringBufferBytes);
    this.reader = ring.reader;
    this.unmap = ring.unmap;
    this.followTimer =
      'pid' in config.target
        ? undefined
        : setInterval(() => {
            this.follow();
          }, 1000).unref();
    this.poll();
  }

  static start(config: ObserverConfig): Observer {
    const missing = missingCapabilities();
    if (missing.length > 0) {
      throw new ObserverError(
        'OBS_MISSING_CAPABILITIES',
        `missing capabilities: ${missing.join(', ')} (run as root, or grant them)`,
      );
    }
    if (!existsSync(`${TRACEFS}/events/syscalls`)) {
      throw new ObserverError(
        'OBS_TRACEFS',
        `tracefs is not mounted at ${TRACEFS}: mount -t tracefs nodev ${TRACEFS} (npm run setup does)`,
      );
    }
    const pids = requireTargets(config.target);
    const useKprobe =
      config.tcpProbe === 'kprobe' || (config.tcpProbe === 'auto' && kernelHasKprobes());
    const bpf = BpfObject.open(config.bpfObject, {
      btfPath: config.btfPath,
      mapSizes: { events: config.ringBufferBytes },
      skipPrograms: [useKprobe ? PROGRAMS.tcpTracepoint : PROGRAMS.tcpKprobe],
    });
    try {
      bpf.load();
      return new Observer(
        config,
        bpf,
        useKprobe ? TCP_PROBE_MODES.kprobe : TCP_PROBE_MODES.tracepoint,
        pids,
      );
    } catch (err) {
      bpf.close();
      throw err;
    }
  }

  get targets(): number[] {
    return [...this.uprobes.keys()];
  }

  /** Events the kernel could not put in the ring buffer, by kind. */
  kernelDrops(kind: EventKind): number {
    return perCpuSum(this.dropsFd, kind);
  }

  get ringBufferBytes(): number {
    return this.config.ringBufferBytes;
  }

  get ringBufferUsedBytes(): number {
    return this.reader.pending;
  }

  /** The kernel's run time and run count of each attached program. */
  programStats(): Record<string, ProgramStats> {
    const tcp =
      this.tcpMode === TCP_PROBE_MODES.kprobe ? PROGRAMS.tcpKprobe : PROGRAMS.tcpTracepoint;
    const names = [PROGRAMS.writeExit, PROGRAMS.writevExit, tcp, PROGRAMS.uprobe];
    return Object.fromEntries(
      names.map((name) => [name, this.stats.program(this.bpf.programFd(name))]),
    );
  }

  /** Drains whatever is in the ring buffer now. */
  drain(): number {
    return this.reader.drain(this.visit);
  }

  /**
   * Detaches every probe, drains what they left, closes the last batch and waits (bounded
   * by --flush-timeout) for the buffered batches to reach Kafka.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.drainTimer);
    clearInterval(this.followTimer);
    for (const link of [...this.links, ...this.uprobes.values()]) link.destroy();
    this.drain();
    this.batcher?.flush();
    this.capture?.close();
    this.unmap();
    this.stats.close();
    this.bpf.close();
    await this.sink?.close(this.config.kafka?.flushTimeoutMs ?? 0);
  }

  private poll = (): void => {
    if (this.stopped) return;
    const drained = this.drain();
    this.batcher?.tick();
    if (drained > 0) {
      this.idlePolls = 0;
      this.drainTimer = undefined;
      setImmediate(this.poll);
      return;
    }
    const delay = Math.min(this.config.maxPollIntervalMs, 2 ** this.idlePolls);
    this.idlePolls = Math.min(this.idlePolls + 1, 10);
    this.drainTimer = setTimeout(this.poll, delay);
  };

  /** Observes `pid` from now on: in the kernel's target map, and with a uprobe of its own. */
  private addTarget(pid: number): void {
    this.bpf.setElement('targets', pid, 1);
    const { uprobeLibrary, uprobeSymbol } = this.config;
    this.uprobes.set(pid, this.bpf.attachUprobe(PROGRAMS.uprobe, pid, uprobeLibrary, uprobeSymbol));
    this.nameTargets();
  }

  private removeTarget(pid: number): void {
    this.uprobes.get(pid)?.destroy();
    this.uprobes.delete(pid);
    this.bpf.deleteElement('targets', pid);
    this.nameTargets();
  }

  private nameTargets(): void {
    if (this.batcher) {
      this.batcher.processes = [...this.uprobes.keys()].map((pid) => ({
        pid,
        name: processName(pid),
      }));
    }
  }

  /** Follows a pid file or command name: processes that exited out, new ones in. */
  private follow(): void {
    const now = new Set(resolveTargets(this.config.target));
    for (const pid of this.uprobes.keys()) if (!now.has(pid)) this.removeTarget(pid);
    for (const pid of now) if (!this.uprobes.has(pid)) this.addTarget(pid);
  }
}
