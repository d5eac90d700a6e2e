import { performance } from 'node:perf_hooks';

/** What the send worker is started with. */
export interface SendWorkerData {
  /** The send board's memory (send-board.ts). */
  shared: SharedArrayBuffer;
  conns: number;
  /** The serialized request, written as is every time. */
  request: Uint8Array;
  /** Requests to issue in all. */
  slots: number;
  intervalMs: number;
  /** The main thread's clockBase(): the worker's performance clock starts elsewhere. */
  mainClockBase: number;
}

/** The worker's messages: ready to serve, a request it could not write, and its end. */
export type WorkerReport =
  | { type: 'ready' }
  | { type: 'write-failed'; index: number; reason: string }
  | {
      type: 'ended';
      /** Requests written or attempted: every one a slot. */
      issued: number;
      /** The lag histogram, LatencyRecorder.encode(). */
      lag: string;
    };

/**
 * The monotonic clock's reading at this thread's performance.now() zero, in ms. Each
 * thread's performance.now() is the same monotonic clock minus its own origin, so the
 * difference of two threads' bases converts one's times into the other's, to within the
 * few hundred ns between the two readings here (performance.timeOrigin, a wall-clock
 * timestamp taken separately in each thread, is not that exact).
 */
export function clockBase(): number {
  const monotonic = Number(process.hrtime.bigint()) / 1e6;
  return monotonic - performance.now();
}
