/**
 * Names that cross process and file boundaries, defined once: the Kafka topics and the
 * metric names every approach exports. The observer, the aggregator, the Collector configs,
 * the Prometheus config, the Grafana dashboards and the docs are checked against these by
 * test/names.test.ts; the event kinds are `KIND_NAMES` (event.ts), checked against
 * bpf/observer.h.
 */
export const TOPICS = {
  /** The observers' Avro event batches. */
  events: 'obscost.events',
  /** Records of the events topic the aggregator could not read, unchanged. */
  deadLetters: 'obscost.events.dlq',
  /** Only infra's produce-and-consume health check writes here. */
  healthCheck: 'obscost.healthcheck',
} as const;

/** The seed's metrics of the app's own instrumentation (prom-client, on the app's port). */
export const APP_METRICS = {
  requests: 'app_http_requests_total',
  requestDuration: 'app_http_request_duration_seconds',
} as const;

/** The app's own failures, beside the seed's names: its request log and its OTLP exports. */
export const APP_HEALTH_METRICS = {
  logWriteErrors: 'app_request_log_write_errors_total',
  logDroppedLines: 'app_request_log_dropped_lines_total',
  otelExportErrors: 'app_otel_export_errors_total',
} as const;

/**
 * The seed's metrics of what the app did as the kernel saw it, per event family: the
 * observer exports the counters, the aggregator the counters and a size histogram.
 */
export const EVENT_METRICS = {
  write: {
    events: 'app_write_events_total',
    bytes: 'app_write_bytes_total',
    sizes: 'app_write_size_bytes',
  },
  tcp_send: {
    events: 'app_tcp_send_events_total',
    bytes: 'app_tcp_send_bytes_total',
    sizes: 'app_tcp_send_size_bytes',
  },
  uprobe: {
    events: 'app_uprobe_calls_total',
    bytes: 'app_uprobe_bytes_total',
    sizes: 'app_uprobe_size_bytes',
  },
} as const;

export type EventFamily = keyof typeof EVENT_METRICS;

/**
 * What the Collector makes of the request log and the SDK's spans (otel/collector*.yaml):
 * the connectors' metric names, as the Prometheus exporter writes them.
 */
export const COLLECTOR_METRICS = {
  logRequests: 'log_http_requests_total',
  logResponseBytes: 'log_http_response_bytes_total',
  serverSpans: 'otel_http_server_spans_total',
} as const;

/**
 * The app's uprobe markers (services/app/native/app_marker.c): the same function with a nop5
 * first, which the kernel turns into a jump, and without, a breakpoint trap.
 */
export const MARKER_SYMBOLS = { nop5: 'app_write', plain: 'app_write_plain' } as const;
export type MarkerSymbol = (typeof MARKER_SYMBOLS)[keyof typeof MARKER_SYMBOLS];
