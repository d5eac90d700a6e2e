import { performance } from 'node:perf_hooks';
import type { Connection } from './connection.js';
import { LatencyRecorder } from './latency.js';
import { SlotTimer } from './slot-timer.js';
import { dueOf } from './wake-protocol.js';

export interface ScheduleHooks {
  /** Sends the request due at `due` on `connection`, which is ready. */
  send: (connection: Connection, due: number) => void;
  /** The wake thread failed: no slot will be sent on time any more. */
  failed: (err: Error) => void;
}

/**
 * The open model's schedule: slot k is due at origin + k / rate, and goes out on whichever
 * connection is free when it is due. A free connection waits in `idle`; the wake timer
 * brings the main loop back at the next due time, with microsecond precision. Each send's
 * lag (send time - due time) is recorded: the generator's own delay, which the latencies,
 * measured from the due time, carry.
 */
export class OpenSchedule {
  /** Send time - due time of every request issued, in its own histogram. */
  readonly lag = new LatencyRecorder();
  private readonly idle = new Set<Connection>();
  private nextSlot = 0;
  /** When slot 0 is due: the first connection's ready time, so connecting is no lag. */
  private origin = NaN;
  private timer: SlotTimer | undefined;

  private constructor(
    private readonly intervalMs: number,
    private readonly slots: number,
    private readonly send: ScheduleHooks['send'],
  ) {}

  /** The schedule, its wake timer running. */
  static async start(rate: number, slots: number, hooks: ScheduleHooks): Promise<OpenSchedule> {
    const schedule = new OpenSchedule(1000 / rate, slots, hooks.send);
    schedule.timer = await SlotTimer.start(schedule.intervalMs, {
      wake: () => {
        schedule.sendDue();
      },
      failed: hooks.failed,
    });
    return schedule;
  }

  /** Whether every slot has been issued. */
  get exhausted(): boolean {
    return this.nextSlot >= this.slots;
  }

  /** A connection that is ready for a request: it takes the next slot when that is due. */
  offer(connection: Connection, now: number): void {
    if (Number.isNaN(this.origin)) {
      this.origin = now;
      if (this.timer !== undefined) this.timer.originMs = now;
    }
    this.idle.add(connection);
    this.sendDue(now);
  }

  /** No more slots are issued: free connections are let go. */
  stop(): void {
    this.idle.clear();
    this.nextSlot = this.slots;
  }

  async close(): Promise<void> {
    this.stop();
    await this.timer?.close();
  }

  /** Sends every slot already due, each on a free connection; asks a wake-up for the next. */
  private sendDue(now = performance.now()): void {
    let clock = now;
    for (const connection of this.idle) {
      if (this.exhausted) break;
      const due = dueOf(this.origin, this.nextSlot, this.intervalMs);
      if (due > clock) {
        this.timer?.wake(this.nextSlot);
        return;
      }
      this.idle.delete(connection);
      if (!connection.ready) continue;
      this.nextSlot++;
      this.send(connection, due);
      clock = connection.sentAt;
      this.lag.recordMs(clock - due);
    }
    // No free connection: the next response brings the main loop back, not the timer.
    this.timer?.wake(-1);
  }
}
