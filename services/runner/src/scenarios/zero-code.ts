import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { javaAgentJar, loadInfraConfig, pythonServiceVenv } from '@obscost/infra';
import type { ServiceRuntime, ServiceSpec } from '../service-settings.js';

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

const NO_PYTHON_AGENT = 'no OpenTelemetry Python agent: run "npm run setup"';
const NO_JAVA_AGENT = 'no OpenTelemetry Java agent: run "npm run setup"';

/** Python's agent: the sitecustomize of the Python services' virtualenv, once setup made it. */
function pythonSitecustomize(): string | undefined {
  const dir = pythonServiceVenv(loadInfraConfig()).sitecustomize;
  return dir !== undefined && existsSync(path.join(dir, 'sitecustomize.py')) ? dir : undefined;
}

/** Java's agent: the jar setup fetched from Maven Central (infra/javaagent/pom.xml), if it has. */
function javaAgent(): string | undefined {
  const jar = javaAgentJar(loadInfraConfig());
  return existsSync(jar) ? jar : undefined;
}

/**
 * Why a service's runtime has no zero-code OpenTelemetry here, or undefined when it has.
 * Python's agent is loaded by the service's own interpreter, which must import the
 * OpenTelemetry packages of the Python services' virtualenv (infra/python-service-requirements.txt):
 * a service run by that virtualenv's python does; one run by another Python needs those
 * packages in its own environment (the same pinned versions), else it starts uninstrumented
 * (its sitecustomize fails to import) and its spans stay at 0.
 */
export function zeroCodeMissing(service: ServiceSpec): string | undefined {
  switch (service.runtime) {
    case 'node':
      return undefined;
    case 'python':
      return pythonSitecustomize() === undefined ? NO_PYTHON_AGENT : undefined;
    case 'go':
      return 'no zero-code OpenTelemetry for Go: a Go service instruments itself';
    case 'java':
      return javaAgent() === undefined ? NO_JAVA_AGENT : undefined;
    case 'other':
      return "name the service's runtime (--service-runtime node) for its zero-code OpenTelemetry";
  }
}

/**
 * How the runtime's agent is loaded (Java's: javaAgentEnv). Node: NODE_OPTIONS, only the HTTP
 * server and client instrumentations (what the project's app's SDK instruments), the cloud
 * resource detectors off. Python: the agent's sitecustomize first on PYTHONPATH, as
 * `opentelemetry-instrument` does before it execs the command, so the command needs no
 * wrapper. The agent applies every instrumentation the interpreter can import: the
 * virtualenv's is Flask's alone (server spans), and a client one in a user's environment makes
 * client spans, which the Collector does not count.
 */
function agentEnv(runtime: ServiceRuntime): NodeJS.ProcessEnv {
  if (runtime === 'java') return javaAgentEnv();
  if (runtime === 'python') {
    const sitecustomize = pythonSitecustomize();
    // zeroCodeMissing said it was there: it went away since (the cache was cleared).
    if (sitecustomize === undefined) throw new Error(NO_PYTHON_AGENT);
    const inherited = process.env['PYTHONPATH'];
    return {
      PYTHONPATH:
        inherited === undefined || inherited === ''
          ? sitecustomize
          : `${sitecustomize}${path.delimiter}${inherited}`,
    };
  }
  const agent = `--experimental-loader=${NODE_ESM_HOOK} --require ${NODE_REGISTER}`;
  const inherited = process.env['NODE_OPTIONS'];
  return {
    NODE_OPTIONS: inherited === undefined ? agent : `${inherited} ${agent}`,
    OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http',
    // The cloud detectors ask metadata servers over the network at start: not here.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
  };
}

/**
 * Java: the agent by JAVA_TOOL_OPTIONS, which every JVM reads however the service's command
 * starts it (a script, a launcher, `java -jar`), after what the runner's own environment sets
 * there; the path quoted, as the JVM allows, for a cache under a directory with a space. Only
 * the JDK HTTP server's instrumentation, on by default but alone here (one server span a
 * request, as Node's and Python's give; no JVM metrics, no client spans). A service on another
 * server (Jetty, Netty, Tomcat) gets its spans from that server's instrumentation enabled in
 * the runner's environment (e.g. OTEL_INSTRUMENTATION_JETTY_ENABLED=true), which the
 * service inherits. The agent logs to stderr (its version line, export failures), not stdout.
 */
function javaAgentEnv(): NodeJS.ProcessEnv {
  const jar = javaAgent();
  // zeroCodeMissing said it was there: it went away since (the cache was cleared).
  if (jar === undefined) throw new Error(NO_JAVA_AGENT);
  const agent = `-javaagent:"${jar}"`;
  const inherited = process.env['JAVA_TOOL_OPTIONS'];
  return {
    JAVA_TOOL_OPTIONS:
      inherited === undefined || inherited === '' ? agent : `${inherited} ${agent}`,
    OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED: 'false',
    OTEL_INSTRUMENTATION_JAVA_HTTP_SERVER_ENABLED: 'true',
  };
}

/**
 * The environment that instruments a service of `runtime` by its zero-code agent: traces and
 * metrics over OTLP (http/protobuf) to the Collector at `otlpEndpoint`, as the project's app
 * exports them, logs not at all.
 */
export function zeroCodeEnv(otlpEndpoint: string, runtime: ServiceRuntime): NodeJS.ProcessEnv {
  return {
    ...agentEnv(runtime),
    OTEL_SERVICE_NAME: 'obscost-service',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_METRIC_EXPORT_INTERVAL: '5000',
  };
}
