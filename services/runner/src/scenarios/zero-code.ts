import { createRequire } from 'node:module';
import type { ServiceSpec } from '../service-settings.js';

/**
 * OpenTelemetry without a line of the service's code: the runtime's own zero-code agent,
 * loaded by the environment the service starts with. Node's is the OpenTelemetry
 * auto-instrumentations' `register` entry point, required through NODE_OPTIONS, with the
 * instrumentation's loader hook: without it a service written as ES modules imports node:http
 * past the patching (no span at all, checked).
 */
const NODE_REGISTER = createRequire(import.meta.url).resolve(
  '@opentelemetry/auto-instrumentations-node/register',
);
const NODE_ESM_HOOK = createRequire(NODE_REGISTER).resolve(
  '@opentelemetry/instrumentation/hook.mjs',
);

/** Why a service's runtime has no zero-code OpenTelemetry here, or undefined when it has. */
export function zeroCodeMissing(service: ServiceSpec): string | undefined {
  switch (service.runtime) {
    case 'node':
      return undefined;
    case 'go':
      return 'no zero-code OpenTelemetry for Go: a Go service instruments itself';
    case 'python':
    case 'java':
      return `zero-code OpenTelemetry for ${service.runtime} is not applied yet`;
    case 'other':
      return "name the service's runtime (--service-runtime node) for its zero-code OpenTelemetry";
  }
}

/**
 * The environment that instruments a Node service: the auto-instrumentations, only their
 * HTTP server and client (what the project's app's SDK instruments), traces and metrics over
 * OTLP to the Collector at `otlpEndpoint` as the app exports them.
 */
export function zeroCodeEnv(otlpEndpoint: string): NodeJS.ProcessEnv {
  const agent = `--experimental-loader=${NODE_ESM_HOOK} --require ${NODE_REGISTER}`;
  const inherited = process.env['NODE_OPTIONS'];
  return {
    NODE_OPTIONS: inherited === undefined ? agent : `${inherited} ${agent}`,
    OTEL_SERVICE_NAME: 'obscost-service',
    OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http',
    // The cloud detectors ask metadata servers over the network at start: not here.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_METRIC_EXPORT_INTERVAL: '5000',
  };
}
