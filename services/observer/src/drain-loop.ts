/** How the drain loop waits: the event loop's timers, or a test's hand-run ones. */
export interface PollTimers {
  /** Runs `poll` once the event loop has handled what waits meanwhile (setImmediate). */
  soon(poll: () => void): void;
  /** Runs `poll` in `ms`; returns what cancels it. */
  later(ms: number, poll: () => void): () => void;
}

export const EVENT_LOOP_TIMERS: PollTimers = {
  soon: (poll) => {
    setImmediate(poll);
  },
  later: (ms, poll) => {
    const timer = setTimeout(poll, ms);
    return () => {
      clearTimeout(timer);
    };
  },
};

/** Idle polls back off 1, 2, 4 ... ms, up to the longest interval; this caps the exponent. */
const MAX_BACKOFF_STEP = 10;

/**
 * Drains the ring buffer adaptively, never blocking the event loop: at once again while
 * there is data (setImmediate lets HTTP scrapes and Kafka sends run in between), then
 * backing off to --max-poll-interval when idle. Each poll also runs `tick` (a batch closes
 * on age there, so within a poll interval of its age even when no event comes).
 */
export class DrainLoop {
  private idlePolls = 0;
  private running = false;
  private cancel: (() => void) | undefined;
  private onError: (err: unknown) => void = () => undefined;

  constructor(
    private readonly drain: () => number,
    private readonly tick: () => void,
    private readonly maxPollIntervalMs: number,
    private readonly timers: PollTimers = EVENT_LOOP_TIMERS,
  ) {}

  /** Polls now, and on until stopped; an error in a poll stops the loop and goes to `onError`. */
  start(onError: (err: unknown) => void): void {
    this.onError = onError;
    this.running = true;
    this.poll();
  }

  /** No poll after this: a waiting one is cancelled, one already queued finds the loop stopped. */
  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
  }

  private readonly poll = (): void => {
    if (!this.running) return;
    let drained: number;
    try {
      drained = this.drain();
      this.tick();
    } catch (err) {
      this.stop();
      this.onError(err);
      return;
    }
    if (drained > 0) {
      this.idlePolls = 0;
      this.cancel = undefined;
      this.timers.soon(this.poll);
      return;
    }
    const delay = Math.min(this.maxPollIntervalMs, 2 ** this.idlePolls);
    this.idlePolls = Math.min(this.idlePolls + 1, MAX_BACKOFF_STEP);
    this.cancel = this.timers.later(delay, this.poll);
  };
}
