/**
 * The memory the main thread and the open model's send worker share, one layout and one
 * set of transitions for both sides. Per connection: its state, its socket's fd, and the
 * request's due and send times (Float64, ms on the main thread's performance clock).
 *
 *   CLOSED --publish--> FREE --claim (worker)--> CLAIMED --written--> BUSY --release--> FREE
 *                                                        --failed---> FAILED
 *   any state --retire (main, waiting out CLAIMED)--> CLOSED
 *
 * The worker moves a connection only out of FREE and out of CLAIMED; the main thread owns
 * every other move. So the main thread, before it closes a socket, takes it out of FREE by
 * compare-and-exchange or waits the few µs the worker holds it CLAIMED: the worker never
 * writes to a closed fd, nor to one the kernel has given to another socket.
 */
export const CellState = { closed: 0, free: 1, claimed: 2, busy: 3, failed: 4 } as const;
export type CellState = (typeof CellState)[keyof typeof CellState];

/** Int32 control cells: the stop flag, a count of frees, whether the worker waits for one. */
const STOP = 0;
const FREED = 1;
const WAITING = 2;
const CONTROL_BYTES = 16;

/** How long the main thread sleeps between looks at a CLAIMED cell, in ms. */
const CLAIM_POLL_MS = 0.02;
/**
 * A claim lasts one write(2); one this long means the worker is gone (it died between claim
 * and write), and nobody will write to the fd any more.
 */
const CLAIM_GIVE_UP_MS = 1000;

function timesOffset(conns: number): number {
  return Math.ceil((CONTROL_BYTES + 8 * conns) / 8) * 8;
}

export class SendBoard {
  private readonly control: Int32Array;
  private readonly states: Int32Array;
  private readonly fds: Int32Array;
  /** Due time at 2i, send time at 2i + 1. */
  private readonly times: Float64Array;
  /** The worker's round-robin start, so every connection takes its turn. */
  private cursor = 0;

  /** Bytes of shared memory for `conns` connections. */
  static bytes(conns: number): number {
    return timesOffset(conns) + 16 * conns;
  }

  constructor(
    readonly shared: SharedArrayBuffer,
    readonly conns: number,
  ) {
    this.control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
    this.states = new Int32Array(shared, CONTROL_BYTES, conns);
    this.fds = new Int32Array(shared, CONTROL_BYTES + 4 * conns, conns);
    this.times = new Float64Array(shared, timesOffset(conns), 2 * conns);
  }

  state(index: number): CellState {
    return Atomics.load(this.states, index) as CellState;
  }

  /** Whether a request is being written or awaits its response on this connection. */
  inFlight(index: number): boolean {
    const state = this.state(index);
    return state === CellState.claimed || state === CellState.busy || state === CellState.failed;
  }

  /** When the request in flight was written (main clock); -1 while none is written. */
  sentAt(index: number): number {
    const state = this.state(index);
    return state === CellState.busy || state === CellState.failed
      ? (this.times[2 * index + 1] ?? -1)
      : -1;
  }

  /** Whether stop() was called; read afresh every time, another thread setting it. */
  isStopped(): boolean {
    return Atomics.load(this.control, STOP) === 1;
  }

  // The main thread's side.

  /** A connection is open on `fd` and idle: the worker may take it. */
  publish(index: number, fd: number): void {
    Atomics.store(this.fds, index, fd);
    this.release(index);
  }

  /** The response came: the connection is idle again, and a waiting worker is woken. */
  release(index: number): void {
    Atomics.store(this.states, index, CellState.free);
    Atomics.add(this.control, FREED, 1);
    // The worker raises WAITING before its last look for a FREE cell, so either it sees
    // this one or we see WAITING: a free connection is never missed.
    if (Atomics.load(this.control, WAITING) === 1) Atomics.notify(this.control, FREED);
  }

  /** The due time of the request on this connection, once the worker has finished writing it. */
  settle(index: number): number {
    this.waitOutClaim(index);
    return this.times[2 * index] ?? NaN;
  }

  /**
   * Out of the worker's reach, before its socket is closed: the fd is ours alone again.
   * Whether a request was in flight on it, now lost.
   */
  retire(index: number): boolean {
    // Out of FREE the worker cannot claim it; out of CLAIMED it moves only to BUSY or
    // FAILED, which are ours: one wait suffices.
    Atomics.compareExchange(this.states, index, CellState.free, CellState.closed);
    this.waitOutClaim(index);
    const lost = this.inFlight(index);
    Atomics.store(this.states, index, CellState.closed);
    return lost;
  }

  /** The worker issues no more requests; it is woken wherever it sleeps. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, FREED, 1);
    Atomics.notify(this.control, FREED);
    Atomics.notify(this.control, STOP);
  }

  /** Waits while the worker holds the cell. */
  private waitOutClaim(index: number): void {
    let waited = 0;
    while (Atomics.load(this.states, index) === CellState.claimed && waited < CLAIM_GIVE_UP_MS) {
      Atomics.wait(this.states, index, CellState.claimed, CLAIM_POLL_MS);
      waited += CLAIM_POLL_MS;
    }
  }

  // The worker's side.

  /** Claims an idle connection, waiting for one if none is; -1 once stopped. */
  claimNext(): number {
    for (;;) {
      if (this.isStopped()) return -1;
      const index = this.claim();
      if (index >= 0) return index;
      Atomics.store(this.control, WAITING, 1);
      const seen = Atomics.load(this.control, FREED);
      const late = this.claim();
      if (late < 0 && !this.isStopped()) Atomics.wait(this.control, FREED, seen);
      Atomics.store(this.control, WAITING, 0);
      if (late >= 0) return late;
    }
  }

  fd(index: number): number {
    return Atomics.load(this.fds, index);
  }

  /** Records the claimed request's due and send times, before it is written. */
  begin(index: number, due: number, sent: number): void {
    this.times[2 * index] = due;
    this.times[2 * index + 1] = sent;
  }

  /** The claimed request is written (BUSY) or could not be (FAILED): the main thread's now. */
  written(index: number, ok: boolean): void {
    Atomics.store(this.states, index, ok ? CellState.busy : CellState.failed);
  }

  /** Sleeps up to `ms`, woken early by stop. */
  sleep(ms: number): void {
    Atomics.wait(this.control, STOP, 0, ms);
  }

  private claim(): number {
    for (let step = 0; step < this.conns; step++) {
      const index = (this.cursor + step) % this.conns;
      if (
        Atomics.compareExchange(this.states, index, CellState.free, CellState.claimed) ===
        CellState.free
      ) {
        this.cursor = index + 1;
        return index;
      }
    }
    return -1;
  }
}
