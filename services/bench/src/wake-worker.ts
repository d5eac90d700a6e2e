import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import koffi from 'koffi';
import {
  dueOf,
  INT32_CELLS,
  ORIGIN_OFFSET,
  PARKED,
  STOP,
  WANT,
  type WakeWorkerData,
} from './wake-protocol.js';

const PR_SET_TIMERSLACK = 29;
/**
 * A wake-up from a long sleep is slow on a virtual machine (its idle CPU is halted and the
 * host must run it again); one from a sleep this short is not, the CPU being still awake
 * or polling. So a long sleep ends this much before the due time, and a short one follows.
 */
const SETTLE_MS = 0.05;

/**
 * A sleeping thread is woken up to its timer slack late: 50 µs by default on Linux. One
 * nanosecond makes the wake-up as precise as the hardware timer, for this thread alone.
 */
function lowerTimerSlack(): void {
  if (process.platform !== 'linux') return;
  const libc = koffi.load('libc.so.6');
  // prctl is variadic; on Linux's ABIs integer arguments pass the same way declared fixed.
  const prctl = libc.func(
    'int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)',
  );
  prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
}

/**
 * Sleeps until the slot the main thread wants is due, then claims it (WANT back to -1) and
 * posts a message, which wakes the main loop. After a wake-up it sleeps on until the next
 * slot's due time, which the main thread most often wants next: then the main thread sets
 * WANT without notifying, and a request costs each thread one wake-up. With nothing wanted
 * and nothing expected it parks, and the main thread notifies it. Every wait is a futex
 * sleep with a sub-millisecond timeout: no thread spins.
 */
function serve(data: WakeWorkerData, port: NonNullable<typeof parentPort>): void {
  const control = new Int32Array(data.shared, 0, INT32_CELLS);
  const origin = new Float64Array(data.shared, ORIGIN_OFFSET, 1);
  const offset = data.mainTimeOrigin - performance.timeOrigin;
  const due = (slot: number): number => dueOf((origin[0] ?? 0) + offset, slot, data.intervalMs);
  let expected = NaN;
  while (Atomics.load(control, STOP) === 0) {
    const want = Atomics.load(control, WANT);
    const wantedAt = want < 0 ? expected : due(want);
    const left = wantedAt - performance.now();
    if (want < 0 && !(left > 0)) {
      Atomics.store(control, PARKED, 1);
      Atomics.wait(control, WANT, -1);
      Atomics.store(control, PARKED, 0);
    } else if (left > 0) {
      Atomics.wait(control, WANT, want, left > SETTLE_MS ? left - SETTLE_MS : left);
      if (want < 0) expected = NaN;
    } else if (Atomics.compareExchange(control, WANT, want, -1) === want) {
      port.postMessage(want);
      expected = due(want + 1);
    }
  }
}

if (parentPort !== null) {
  lowerTimerSlack();
  serve(workerData as WakeWorkerData, parentPort);
}
