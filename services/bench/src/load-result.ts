import type { LatencySummary, PercentilePoint } from './latency.js';

export interface ErrorCounts {
  connect: number;
  read: number;
  timeout: number;
  non2xx: number;
}

/** A run's figures; also the `--json` output, hence the snake_case names. */
export interface LoadResult {
  url: string;
  model: 'closed' | 'open';
  conns: number;
  /** Target rate of an open-model run. */
  rate?: number;
  /** Complete responses, whatever their status. */
  requests: number;
  /**
   * Connections opened (connects completed) over the run: `conns` against a keep-alive
   * server, one a request against one that closes after each response.
   */
  connects: number;
  /** Responses by status code. */
  status: Record<string, number>;
  /** Failed requests and non-2xx responses. */
  errors: number;
  error_kinds: ErrorCounts;
  duration_s: number;
  rps: number;
  /**
   * Bytes read from the server, whatever the framing: status lines, headers and bodies, chunk
   * sizes and trailers included; the bytes the server wrote, when every response arrived.
   */
  bytes: number;
  bytes_per_s: number;
  latency_ms: LatencySummary;
  /**
   * Open model: how late the generator itself sent each request (send time - due time),
   * which every latency, measured from the due time, includes.
   */
  schedule_lag_ms?: LatencySummary;
  /**
   * Open model: the latency from when each request was written, not from its due time: what a
   * generator that leaves its own lag out (vegeta, wrk2's uncorrected figures) reports.
   */
  latency_from_send_ms?: LatencySummary;
  /** The percentile curve the summary's figures are read from (JSON only). */
  latency_distribution: PercentilePoint[];
  /**
   * The load generator's own CPU time over the run: near duration_s (one CPU busy) means the
   * generator, not the server, may have set the pace.
   */
  cpu_s: { user: number; system: number };
  /** Stopped early by its abort signal, with the signal's reason (e.g. "SIGINT"). */
  interrupted?: string;
  /** Stopped early because no connection could be made for a whole timeout. */
  gave_up?: string;
  /** The first failure's reason, to say why a run failed. */
  first_error?: string;
}

export interface Progress {
  elapsedMs: number;
  durationMs: number;
  requests: number;
  errors: number;
}
