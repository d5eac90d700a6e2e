/**
 * The memory the main thread and the wake worker share, one layout for both sides. Int32
 * cells: the slot the main thread wants to be woken for (-1: none), whether the worker is
 * parked (waiting with no wake-up planned, so it must be notified), and the stop flag. Then
 * the schedule's origin, a Float64 in ms on the main thread's performance clock.
 */
export const WANT = 0;
export const PARKED = 1;
export const STOP = 2;
export const INT32_CELLS = 3;
export const ORIGIN_OFFSET = 16;
export const SHARED_BYTES = 24;

export interface WakeWorkerData {
  shared: SharedArrayBuffer;
  /** The main thread's performance.timeOrigin: the worker's clock starts elsewhere. */
  mainTimeOrigin: number;
  intervalMs: number;
}

/** When `slot` is due, slot 0 being due at `origin`: the one formula both threads use. */
export function dueOf(origin: number, slot: number, intervalMs: number): number {
  return origin + slot * intervalMs;
}
