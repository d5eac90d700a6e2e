/**
 * Defaults more than one service, config or test shares: the ports of ../shared/DESIGN.md
 * and the Kafka brokers' address. Topic names are part of the event contract
 * (`@obscost/events`, TOPICS).
 */
export const PORTS = {
  app: 8080,
  /** The app's separate metrics listener, when one is asked for (APP_METRICS_PORT). */
  appMetrics: 8081,
  observer: 9100,
  aggregator: 9464,
  kafka: 9092,
  kafkaController: 9093,
  collectorOtlpGrpc: 4317,
  collectorOtlpHttp: 4318,
  collectorPrometheus: 8889,
  collectorTelemetry: 8888,
  collectorHealth: 13133,
  collectorForward: 24224,
  prometheus: 9090,
  grafana: 3000,
} as const;

/** Every service listens on loopback unless told otherwise. */
export const LOOPBACK = '127.0.0.1';

export const DEFAULT_KAFKA_BROKERS = `${LOOPBACK}:${PORTS.kafka}`;

export const DEFAULT_OTLP_HTTP_ENDPOINT = `http://${LOOPBACK}:${PORTS.collectorOtlpHttp}`;
