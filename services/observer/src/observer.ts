import { describeFailure } from '@obscost/errors';
import { CaptureWriter, type EventKind } from '@obscost/events';
import type { Batcher } from './batcher.js';
import type { KafkaConfig, ObserverConfig } from './config.js';
import type { ObserverMode } from './probe-vocabulary.js';
import type { DecodeError, EventTotals } from './counters.js';
import { DrainLoop, type PollTimers } from './drain-loop.js';
import { ObserverError } from './errors.js';
import { TargetFollower, type RefusalReason } from './follow.js';
import { KafkaSink } from './kafka-sink.js';
import { openKernel, type KernelSide } from './kernel.js';
import type { KernelCounts } from './kernel-counts.js';
import type { ProgramStats } from './kernel-stats.js';
import { Pipeline, shutDown, type BatchSink, type Outputs } from './pipeline.js';
import { preflight } from './preflight.js';
import type { Probe, TcpProbeMode, WriteProbeMode } from './probe-vocabulary.js';
import { requireTargets } from './targets.js';

export interface ObserverOptions {
  /** For tests: a /proc of their own. */
  readonly proc?: string;
  /** For tests: timers they run by hand. */
  readonly timers?: PollTimers;
  /** Where the observer tells what it could not do (a target it could not follow). */
  readonly log?: (line: string) => void;
}

/**
 * The observer, stage by stage: the checks (preflight.ts), the kernel side (kernel.ts),
 * what happens to each record (pipeline.ts), the targets followed (follow.ts) and the drain
 * loop (drain-loop.ts), wired here and nowhere else.
 */
export class Observer<S extends BatchSink = KafkaSink> {
  private stopping: Promise<void> | undefined;
  /** Settles with the error that stopped the observer of itself, once it has shut down. */
  readonly failed: Promise<Error>;
  private failedWith: (err: Error) => void = () => undefined;

  private constructor(
    private readonly config: ObserverConfig,
    private readonly kernel: KernelSide,
    private readonly pipeline: Pipeline<S>,
    private readonly follower: TargetFollower,
    private readonly loop: DrainLoop,
  ) {
    this.failed = new Promise((resolve) => {
      this.failedWith = resolve;
    });
  }

  /** Checks the system, loads and attaches the programs, and observes the target. */
  static start(config: ObserverConfig): Observer {
    preflight(config);
    const pids = requireTargets(config.target, '/proc', config.uid);
    const capture =
      config.captureFile === undefined
        ? undefined
        : openCapture(config.captureFile, config.overwriteCapture);
    let kernel: KernelSide | undefined;
    try {
      kernel = openKernel(config);
      const sink = config.kafka && kafkaSink(config.kafka, config.observerId);
      return Observer.over(kernel, pids, config, { sink, capture }, { log: printLine });
    } catch (err) {
      capture?.discard();
      kernel?.detach();
      kernel?.close();
      throw err;
    }
  }

  /** Wires the stages over a kernel side, the real one or a fake, and observes `pids`. */
  static over<S extends BatchSink>(
    kernel: KernelSide,
    pids: readonly number[],
    config: ObserverConfig,
    outputs: Outputs<S>,
    { proc = '/proc', timers, log }: ObserverOptions = {},
  ): Observer<S> {
    const pipeline = new Pipeline(outputs, {
      ...config,
      host: config.hostName,
      incarnation: Date.now(),
      ...(log && { log }),
    });
    const follower = new TargetFollower(
      config.target,
      kernel,
      (processes) => {
        pipeline.nameProcesses(processes);
      },
      { proc, uid: config.uid, ...(log && { log }) },
    );
    follower.add(pids);
    const loop = new DrainLoop(
      () => kernel.ring.drain(pipeline.visit),
      () => {
        pipeline.tick();
      },
      config.maxPollIntervalMs,
      timers,
    );
    const observer = new Observer(config, kernel, pipeline, follower, loop);
    const fail = (err: unknown): void => {
      observer.fail(err);
    };
    follower.start(fail);
    // In count mode the ring buffer stays empty: nothing to drain.
    if (config.mode === 'ring') loop.start(fail);
    return observer;
  }

  get mode(): ObserverMode {
    return this.config.mode;
  }

  /** What the target did: drained from the ring buffer, or in count mode, the kernel's totals. */
  get counters(): EventTotals {
    return this.kernel.counts ?? this.pipeline.counters;
  }

  /** Count mode's totals with their size histograms; undefined in ring mode. */
  get kernelCounts(): KernelCounts | undefined {
    return this.kernel.counts;
  }

  /** Events of the batches the capture file did not get; undefined without --capture. */
  get captureDroppedEvents(): number | undefined {
    return this.pipeline.outputs.capture ? this.pipeline.captureDroppedEvents : undefined;
  }

  get decodeErrors(): Readonly<Record<DecodeError, number>> {
    return this.pipeline.counters.decodeErrors;
  }

  get batcher(): Batcher | undefined {
    return this.pipeline.batcher;
  }

  get sink(): S | undefined {
    return this.pipeline.outputs.sink;
  }

  get tcpMode(): TcpProbeMode {
    return this.kernel.tcpMode;
  }

  get writeMode(): WriteProbeMode {
    return this.kernel.writeMode;
  }

  /** The object file loaded (its build without the kfunc on a kernel before 6.2). */
  get bpfObject(): string {
    return this.kernel.bpfObject;
  }

  /** Why the fexit write probe was not attached, when --write-probe auto tried it. */
  get writeRefusal(): string | undefined {
    return this.kernel.writeRefusal;
  }

  get targets(): number[] {
    return this.follower.targets;
  }

  get targetRefusals(): Readonly<Record<RefusalReason, number>> {
    return this.follower.refusals;
  }

  get probes(): readonly Probe[] {
    return this.config.probes;
  }

  get bpfStats(): boolean {
    return this.config.bpfStats;
  }

  get ringBufferBytes(): number {
    return this.config.ringBufferBytes;
  }

  get ringBufferUsedBytes(): number {
    return this.kernel.ring.pending;
  }

  kernelDrops(kind: EventKind): number {
    return this.kernel.drops(kind);
  }

  programStats(): Record<string, ProgramStats> {
    return this.kernel.programStats();
  }

  /** Stops polling and following, then shuts the stages down in order (pipeline.ts). */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /**
   * Stops on an error nothing can cure, from a timer or the process's last handler: what can
   * be flushed is (the open batch, the Kafka buffer within --flush-timeout), then `failed`
   * settles with the error. Only the first error counts; a shutdown already begun is awaited.
   */
  fail(err: unknown): void {
    if (this.stopping !== undefined) return;
    const settle = (): void => {
      this.failedWith(err instanceof Error ? err : new Error(String(err)));
    };
    this.stop().then(settle, settle);
  }

  private async shutDown(): Promise<void> {
    this.loop.stop();
    this.follower.stop();
    await shutDown(this.kernel, this.pipeline, this.config.kafka?.flushTimeoutMs ?? 0);
  }
}

/** The capture file, made (or, with --overwrite-capture, opened to replace) before anything loads. */
function openCapture(file: string, overwrite: boolean): CaptureWriter {
  try {
    return new CaptureWriter(file, { overwrite });
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
    throw new ObserverError(
      'OBS_CAPTURE',
      exists
        ? `capture file ${file} exists: give --overwrite-capture to replace it`
        : `cannot create capture file ${file}: ${describeFailure(err).line}`,
      { cause: err },
    );
  }
}

function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

function kafkaSink(kafka: KafkaConfig, observerId: string): KafkaSink {
  const { brokers, security, topic, compression, bufferBytes } = kafka;
  return new KafkaSink(
    { brokers, security, topic, key: observerId, compression, maxBufferBytes: bufferBytes },
    printLine,
  );
}
