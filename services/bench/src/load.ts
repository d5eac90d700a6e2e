import { performance } from 'node:perf_hooks';
import { Connection, type ConnectionEvents, type FailureKind, type Target } from './connection.js';
import { LatencyRecorder } from './latency.js';
import type { LoadOptions } from './load-options.js';
import type { ErrorCounts, LoadResult, Progress } from './load-result.js';
import { OpenSchedule } from './open-schedule.js';
import { hostOf, portOf, serializeRequest } from './target.js';

export interface RunHooks {
  /** Called about once a second while the run goes on. */
  progress?: (progress: Progress) => void;
  /** Aborting stops issuing; requests in flight are still awaited. */
  signal?: AbortSignal;
}

/** Reopen delay after a failed connect, so an unreachable server is not hammered. */
const RECONNECT_DELAY_MS = 100;

/**
 * Drives the target with `conns` keep-alive connections, each with at most one request
 * in flight: back to back in the closed model; on a fixed schedule in the open model,
 * with latency measured from each request's intended send time. When issuing stops
 * (deadline, request count or abort), requests in flight are awaited, bounded by the
 * per-request timeout, so the response count is what the server completed.
 */
export function runLoad(options: LoadOptions, hooks: RunHooks = {}): Promise<LoadResult> {
  return new LoadRun(options, hooks).run();
}

class LoadRun implements ConnectionEvents {
  private readonly latency = new LatencyRecorder();
  /** Open model: from each request's write, as a generator that ignores its own lag measures. */
  private readonly fromSend = new LatencyRecorder();
  private readonly errors: ErrorCounts = { connect: 0, read: 0, timeout: 0, non2xx: 0 };
  private readonly status = new Map<number, number>();
  private readonly connections: Connection[] = [];
  /** Requests to issue in all: the -requests cap, and in the open model the scheduled slots. */
  private readonly plannedRequests: number;
  private requests = 0;
  private bytes = 0;
  private connects = 0;
  private issuedTotal = 0;
  private issuing = true;
  private startedAt = 0;
  private cpuAtStart: NodeJS.CpuUsage = { user: 0, system: 0 };
  private lastConnectedAt = 0;
  private interrupted: string | undefined;
  private gaveUp: string | undefined;
  private firstError: string | undefined;
  private finish: (() => void) | undefined;
  /** The open model's schedule; undefined in the closed model. */
  private schedule: OpenSchedule | undefined;

  constructor(
    private readonly options: LoadOptions,
    private readonly hooks: RunHooks,
  ) {
    const { rate, durationMs, requests } = options;
    // Open model: every slot scheduled before the deadline is issued, late or not, so a
    // run of D seconds at R req/s issues exactly ceil(D * R) requests.
    const slots = rate === undefined ? Infinity : Math.ceil((durationMs * rate) / 1000 - 1e-9);
    this.plannedRequests = Math.min(requests ?? Infinity, slots);
  }

  async run(): Promise<LoadResult> {
    const { url, conns, durationMs, timeoutMs } = this.options;
    const target: Target = {
      host: hostOf(url),
      port: portOf(url),
      request: serializeRequest(this.options),
      bodyless: this.options.method === 'HEAD',
    };
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    if (this.options.rate !== undefined) {
      const plan = {
        rate: this.options.rate,
        slots: this.plannedRequests,
        conns,
        request: target.request,
      };
      this.schedule = await OpenSchedule.start(plan, {
        writeFailed: (index, reason) => {
          this.connections[index]?.writeFailed(reason);
        },
        ended: () => {
          this.stopIssuing();
        },
        // Without its sender the schedule would wait forever: the run ends, and says why.
        failed: (err) => {
          this.gaveUp = `the schedule's send thread failed: ${err.message}`;
          this.stopIssuing();
        },
      });
    }
    this.startedAt = performance.now();
    this.cpuAtStart = process.cpuUsage();
    this.lastConnectedAt = this.startedAt;

    const timers: NodeJS.Timeout[] = [];
    if (this.options.rate === undefined && Number.isFinite(durationMs)) {
      timers.push(
        setTimeout(() => {
          this.stopIssuing();
        }, durationMs),
      );
    }
    timers.push(
      setInterval(
        () => {
          this.sweep();
        },
        Math.min(250, Math.max(10, timeoutMs / 4)),
      ),
    );
    if (this.hooks.progress) {
      const report = this.hooks.progress;
      timers.push(
        setInterval(() => {
          report(this.progress());
        }, 1000),
      );
    }
    const onAbort = (): void => {
      const reason: unknown = this.hooks.signal?.reason;
      this.interrupted = typeof reason === 'string' ? reason : 'aborted';
      this.stopIssuing();
    };
    this.hooks.signal?.addEventListener('abort', onAbort);

    for (let i = 0; i < conns; i++) {
      const connection = new Connection(i, target, this, this.schedule?.board);
      this.connections.push(connection);
      connection.open();
    }
    if (this.hooks.signal?.aborted === true) onAbort();
    await done;

    for (const timer of timers) clearInterval(timer);
    this.hooks.signal?.removeEventListener('abort', onAbort);
    for (const connection of this.connections) connection.close();
    await this.schedule?.close();
    return this.result(performance.now() - this.startedAt);
  }

  ready(connection: Connection): void {
    this.connects++;
    this.lastConnectedAt = performance.now();
    this.dispatch(connection);
  }

  response(connection: Connection, status: number, origin: number, sentAt: number): void {
    const now = performance.now();
    this.latency.recordMs(now - origin);
    if (this.schedule !== undefined) this.fromSend.recordMs(now - sentAt);
    this.requests++;
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
    if (status < 200 || status > 299) {
      this.errors.non2xx++;
      this.firstError ??= `HTTP status ${status}`;
    }
    this.dispatch(connection);
  }

  failed(connection: Connection, kind: FailureKind, reason: string): void {
    this.errors[kind]++;
    this.firstError ??= `${kind} error: ${reason}`;
    if (this.issuing) {
      if (kind === 'connect') {
        connection.timer = setTimeout(() => {
          connection.open();
        }, RECONNECT_DELAY_MS);
      } else {
        connection.open();
      }
    }
    this.checkDone();
  }

  closed(connection: Connection): void {
    if (this.issuing) connection.open();
    else this.checkDone();
  }

  received(bytes: number): void {
    this.bytes += bytes;
  }

  /** Closed model: the next request, on the connection just freed. The open model's go out on their own. */
  private dispatch(connection: Connection): void {
    if (
      !this.issuing ||
      this.schedule !== undefined ||
      !connection.ready ||
      connection.timer !== undefined
    ) {
      this.checkDone();
      return;
    }
    if (this.issuedTotal >= this.plannedRequests) {
      this.stopIssuing();
      return;
    }
    this.issuedTotal++;
    connection.send(performance.now());
    // Now, not when the next connection is free: a connection the server closes after the
    // last request is not reopened for nothing.
    if (this.issuedTotal >= this.plannedRequests) this.stopIssuing();
  }

  private stopIssuing(): void {
    this.issuing = false;
    this.schedule?.stop();
    for (const connection of this.connections) {
      if (!connection.busy) {
        clearTimeout(connection.timer);
        connection.timer = undefined;
      }
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (this.issuing || this.schedule?.active === true) return;
    if (this.connections.some((c) => c.busy)) return;
    this.finish?.();
  }

  /**
   * Times out requests in flight too long and connects pending too long (a listener whose
   * accept queue is full drops the SYN, and the kernel retries for minutes), and gives up
   * when nothing can connect.
   */
  private sweep(): void {
    const now = performance.now();
    const { timeoutMs } = this.options;
    for (const connection of this.connections) {
      if (connection.sentAt >= 0 && now - connection.sentAt > timeoutMs) {
        connection.fail('timeout', `no complete response within ${timeoutMs} ms`);
      } else if (connection.connectingSince >= 0 && now - connection.connectingSince > timeoutMs) {
        connection.fail('connect', `the connect did not complete within ${timeoutMs} ms`);
      }
    }
    const anyConnected = this.connections.some((c) => c.ready || c.busy);
    if (anyConnected) {
      this.lastConnectedAt = now;
    } else if (this.issuing && now - this.lastConnectedAt > timeoutMs) {
      this.gaveUp = `no connection could be made for ${timeoutMs} ms`;
      this.stopIssuing();
    }
  }

  private progress(): Progress {
    return {
      elapsedMs: performance.now() - this.startedAt,
      durationMs: this.options.durationMs,
      requests: this.requests,
      errors: this.totalErrors(),
    };
  }

  private totalErrors(): number {
    const { connect, read, timeout, non2xx } = this.errors;
    return connect + read + timeout + non2xx;
  }

  private result(elapsedMs: number): LoadResult {
    const seconds = elapsedMs / 1000;
    const { url, conns, rate } = this.options;
    const cpu = process.cpuUsage(this.cpuAtStart);
    return {
      url: url.href,
      model: rate === undefined ? 'closed' : 'open',
      conns,
      ...(rate === undefined ? {} : { rate }),
      requests: this.requests,
      connects: this.connects,
      status: Object.fromEntries([...this.status].sort(([a], [b]) => a - b)),
      errors: this.totalErrors(),
      error_kinds: { ...this.errors },
      duration_s: seconds,
      rps: this.requests / seconds,
      bytes: this.bytes,
      bytes_per_s: this.bytes / seconds,
      latency_ms: this.latency.summary(),
      latency_distribution: this.latency.distribution(),
      ...(this.schedule === undefined
        ? {}
        : {
            schedule_lag_ms: this.schedule.lag.summary(),
            latency_from_send_ms: this.fromSend.summary(),
          }),
      cpu_s: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
      ...(this.interrupted === undefined ? {} : { interrupted: this.interrupted }),
      ...(this.gaveUp === undefined ? {} : { gave_up: this.gaveUp }),
      ...(this.firstError === undefined ? {} : { first_error: this.firstError }),
    };
  }
}
