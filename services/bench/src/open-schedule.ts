import { Worker } from 'node:worker_threads';
import { LatencyRecorder } from './latency.js';
import { SendBoard } from './send-board.js';
import { clockBase, type SendWorkerData, type WorkerReport } from './send-protocol.js';

export interface OpenPlan {
  rate: number;
  /** Requests to issue in all. */
  slots: number;
  conns: number;
  /** The serialized request. */
  request: Buffer;
}

export interface ScheduleHooks {
  /** The worker could not write the request on connection `index`, now FAILED. */
  writeFailed: (index: number, reason: string) => void;
  /** The worker issues no more requests: every slot is issued, or it was stopped. */
  ended: () => void;
  /** The worker thread died: no slot will be sent any more. */
  failed: (err: Error) => void;
}

/**
 * The open model's schedule, run by a worker thread (send-worker.ts) that sleeps to each
 * due time and writes the request on an idle connection itself; the main thread reads the
 * responses, and hands connections back through the send board. Each send's lag (send
 * time - due time) is recorded by the worker, in its own histogram, handed over at the end.
 */
export class OpenSchedule {
  /** Send time - due time of every request issued; filled in when the worker ends. */
  readonly lag = new LatencyRecorder();
  readonly board: SendBoard;
  /** Requests the worker issued; known when it has ended. */
  issued = 0;
  private running = true;
  private readonly worker: Worker;

  private constructor(plan: OpenPlan, hooks: ScheduleHooks) {
    this.board = new SendBoard(new SharedArrayBuffer(SendBoard.bytes(plan.conns)), plan.conns);
    const workerData: SendWorkerData = {
      shared: this.board.shared,
      conns: plan.conns,
      request: plan.request,
      slots: plan.slots,
      intervalMs: 1000 / plan.rate,
      mainClockBase: clockBase(),
    };
    this.worker = new Worker(new URL('./send-worker.js', import.meta.url), { workerData });
    this.worker.on('message', (message: WorkerReport) => {
      if (message.type === 'ready') return;
      if (message.type === 'write-failed') {
        hooks.writeFailed(message.index, message.reason);
        return;
      }
      this.issued = message.issued;
      this.lag.addEncoded(message.lag);
      this.end(hooks);
    });
    this.worker.on('error', (err) => {
      hooks.failed(err);
      this.end(hooks);
    });
  }

  /** Starts the worker; resolves once it has loaded and serves, so the run starts with it. */
  static async start(plan: OpenPlan, hooks: ScheduleHooks): Promise<OpenSchedule> {
    const schedule = new OpenSchedule(plan, hooks);
    const ready = new Promise<void>((resolve, reject) => {
      schedule.worker.on('message', (message: WorkerReport) => {
        if (message.type === 'ready') resolve();
      });
      schedule.worker.once('error', reject);
    });
    await ready;
    return schedule;
  }

  /** Whether the worker may still issue a request. */
  get active(): boolean {
    return this.running;
  }

  /** No more requests are issued; `ended` follows once the worker has let go. */
  stop(): void {
    this.board.stop();
  }

  async close(): Promise<void> {
    this.stop();
    this.worker.removeAllListeners('message');
    this.worker.removeAllListeners('error');
    await this.worker.terminate();
  }

  private end(hooks: ScheduleHooks): void {
    if (!this.running) return;
    this.running = false;
    hooks.ended();
  }
}
