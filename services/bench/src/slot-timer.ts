import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  INT32_CELLS,
  ORIGIN_OFFSET,
  PARKED,
  SHARED_BYTES,
  STOP,
  WANT,
  type WakeWorkerData,
} from './wake-protocol.js';

export interface SlotTimerHooks {
  /** The slot asked for is due. */
  wake: () => void;
  /** The worker thread died (it could not start, or threw): no wake-up will come. */
  failed: (err: Error) => void;
}

/**
 * Wakes the main loop when a slot of the open model's schedule is due, with microsecond
 * precision. libuv's timers count in milliseconds, so a setTimeout fires up to a
 * millisecond late; here a worker thread sleeps until the due time (a futex wait with a
 * fractional timeout, 1 ns timer slack) and posts a message, which wakes the main loop out
 * of epoll. No thread spins meanwhile.
 */
export class SlotTimer {
  private readonly shared = new SharedArrayBuffer(SHARED_BYTES);
  private readonly control = new Int32Array(this.shared, 0, INT32_CELLS);
  private readonly origin = new Float64Array(this.shared, ORIGIN_OFFSET, 1);
  private readonly worker: Worker;
  private wanted = -1;

  private constructor(intervalMs: number, hooks: SlotTimerHooks) {
    const workerData: WakeWorkerData = {
      shared: this.shared,
      mainTimeOrigin: performance.timeOrigin,
      intervalMs,
    };
    Atomics.store(this.control, WANT, -1);
    this.worker = new Worker(new URL('./wake-worker.js', import.meta.url), { workerData });
    this.worker.on('message', () => {
      this.wanted = -1;
      hooks.wake();
    });
    this.worker.on('error', hooks.failed);
  }

  /** Starts the worker; resolves once it runs, so the first wake-up is not its start-up. */
  static async start(intervalMs: number, hooks: SlotTimerHooks): Promise<SlotTimer> {
    const timer = new SlotTimer(intervalMs, hooks);
    await once(timer.worker, 'online');
    return timer;
  }

  /** Slot 0's due time (performance.now() time); set once, before the first `wake`. */
  set originMs(ms: number) {
    this.origin[0] = ms;
  }

  /** Calls onWake when `slot` is due, instead of any slot asked for before; -1: none. */
  wake(slot: number): void {
    if (slot === this.wanted) return;
    this.wanted = slot;
    Atomics.store(this.control, WANT, slot);
    // The worker checks WANT after raising PARKED, so one of the two sees the other's store.
    if (Atomics.load(this.control, PARKED) === 1) Atomics.notify(this.control, WANT);
  }

  /** Stops the worker thread; no wake-up comes after. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('message');
    this.worker.removeAllListeners('error');
    Atomics.store(this.control, STOP, 1);
    Atomics.store(this.control, WANT, -2);
    Atomics.notify(this.control, WANT);
    await this.worker.terminate();
  }
}
