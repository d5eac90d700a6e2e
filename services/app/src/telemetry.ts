import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, setGlobalErrorHandler } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { describeFailure } from '@obscost/errors';

/**
 * Local ports whose requests make no span: the metrics listener's (APP_METRICS_PORT), so
 * the SDK counts the observed traffic alone, as the app's counter and request log do.
 */
export const untracedPorts = new Set<number>();

/** Exports the SDK reported as failed (the Collector away, or refusing). */
export const telemetryErrors = { count: 0 };

/**
 * The in-process OpenTelemetry SDK. Exporters, endpoint, protocol, service name and
 * intervals come from the standard OTEL_* variables (traces and metrics over OTLP by
 * default). It must start before `http` is loaded so the HTTP instrumentation can
 * patch it: main.ts imports the server only after this.
 */
export function startTelemetry(env: NodeJS.ProcessEnv): NodeSDK {
  if (env.OTEL_SERVICE_NAME === undefined) env.OTEL_SERVICE_NAME = 'app';
  // The SDK hands every failed export (span batches, metric collections) to this handler, off
  // the request path: counted, the first told once, none thrown.
  setGlobalErrorHandler((err) => {
    telemetryErrors.count += 1;
    if (telemetryErrors.count === 1) {
      process.stderr.write(
        `app: OpenTelemetry export failed (${describeFailure(err).line}); requests go on, failures counted in ` +
          'app_otel_export_errors_total\n',
      );
    }
  });
  const http = new HttpInstrumentation({
    ignoreIncomingRequestHook: (request) => untracedPorts.has(request.socket.localPort ?? -1),
  });
  const sdk = new NodeSDK({ instrumentations: [http] });
  sdk.start();
  return sdk;
}

/**
 * Gives the HTTP instrumentation the route template, as @fastify/otel does, so that
 * spans and `http.server.request.duration` carry `http.route` with bounded values.
 */
export function recordRoute(route: string): void {
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = route;
}
