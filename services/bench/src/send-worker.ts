import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { LatencyRecorder } from './latency.js';
import { makeThreadPrompt } from './prompt-thread.js';
import { SendBoard } from './send-board.js';
import { clockBase, type SendWorkerData, type WorkerReport } from './send-protocol.js';

/**
 * A wake-up from a long sleep is slow on a virtual machine (its idle CPU is halted and the
 * host must run it again); one from a sleep this short is not, the CPU being still awake
 * or polling. So a long sleep ends this much before the due time, and a short one follows.
 */
const SETTLE_MS = 0.05;

/** Sleeps until `due` (this thread's clock); false when stopped first. */
function sleepUntil(board: SendBoard, due: number): boolean {
  for (;;) {
    if (board.isStopped()) return false;
    const left = due - performance.now();
    if (!(left > 0)) return true;
    board.sleep(left > SETTLE_MS ? left - SETTLE_MS : left);
  }
}

/** Writes the whole request to the socket, or says why it could not. */
function writeRequest(fd: number, request: Uint8Array): string | undefined {
  try {
    // One request in flight a connection: the send buffer is empty, so a short write or
    // EAGAIN is a broken connection, not back-pressure to wait out.
    const written = writeSync(fd, request);
    if (written === request.length) return undefined;
    return `short write: ${written} of ${request.length} bytes`;
  } catch (err) {
    return `write failed: ${(err as Error).message}`;
  }
}

/**
 * The open model's sender: slot k is due at origin + k / rate, origin being when the first
 * connection is idle. At each due time it claims an idle connection and writes the request
 * itself: one thread wake-up a request, the main loop off the send path. With no idle
 * connection it waits for one, and the lag grows, as it must.
 */
function serve(data: SendWorkerData, port: NonNullable<typeof parentPort>): void {
  const board = new SendBoard(data.shared, data.conns);
  const lag = new LatencyRecorder();
  const toMainClock = clockBase() - data.mainClockBase;
  let issued = 0;
  let origin = NaN;
  port.postMessage({ type: 'ready' } satisfies WorkerReport);
  while (issued < data.slots) {
    const due = origin + issued * data.intervalMs;
    if (!Number.isNaN(origin) && !sleepUntil(board, due)) break;
    const index = board.claimNext();
    if (index < 0) break;
    const sent = performance.now();
    if (Number.isNaN(origin)) origin = sent;
    const dueAt = Number.isNaN(due) ? sent : due;
    board.begin(index, dueAt + toMainClock, sent + toMainClock);
    const failure = writeRequest(board.fd(index), data.request);
    board.written(index, failure === undefined);
    if (failure !== undefined) {
      port.postMessage({ type: 'write-failed', index, reason: failure } satisfies WorkerReport);
    }
    lag.recordMs(sent - dueAt);
    issued++;
  }
  port.postMessage({ type: 'ended', issued, lag: lag.encode() } satisfies WorkerReport);
}

if (parentPort !== null) {
  makeThreadPrompt();
  serve(workerData as SendWorkerData, parentPort);
}
