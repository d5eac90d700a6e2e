import path from 'node:path';
import { MARKER_SYMBOLS, type MarkerSymbol } from '@obscost/events';
import { LOOPBACK, parseEnvironment, PORTS, setting } from '@obscost/flags';
import { AppError } from './errors.js';

/** Where `make -C services/app/native` puts the marker library. */
export const DEFAULT_MARKER_LIBRARY = path.resolve(
  import.meta.dirname,
  '../../native/build/libappmarker.so',
);

/** The most APP_BURN_US may ask: 100 ms a request is already ten times any real route here. */
export const MAX_BURN_US = 100_000;

/** Every setting of the app: environment variables only (docs/app-and-bench.md). */
export const SETTINGS = {
  host: setting.text({ env: 'HOST', default: LOOPBACK, help: 'the address it listens on' }),
  port: setting.integer({
    env: 'PORT',
    default: String(PORTS.app),
    min: 0,
    max: 65535,
    help: 'the port it listens on; `0` takes a free port (printed as `app listening on URL`)',
  }),
  metricsPort: setting.integer({
    env: 'APP_METRICS_PORT',
    min: 0,
    max: 65535,
    help:
      'set: `/metrics` moves to a listener of its own on this port (below); `0` takes a free ' +
      'port (printed as `app metrics on URL`)',
  }),
  logFile: setting.text({
    env: 'APP_LOG_FILE',
    help: 'request log file (below); no log when unset',
  }),
  marker: setting.choice({
    env: 'APP_MARKER',
    default: 'nop5',
    help: 'which uprobe marker the app calls: `nop5` (`app_write`, a uprobe the kernel optimizes), `plain` (`app_write_plain`, a breakpoint uprobe), `off`',
    choices: ['nop5', 'plain', 'off'],
  }),
  markerLibrary: setting.text({
    env: 'APP_MARKER_LIB',
    default: DEFAULT_MARKER_LIBRARY,
    defaultDoc: 'services/app/native/build/libappmarker.so',
    help: 'the marker library',
  }),
  burnUs: setting.integer({
    env: 'APP_BURN_US',
    default: '0',
    min: 0,
    max: MAX_BURN_US,
    help:
      "the calibration knob: every request burns this many µs of the app's CPU before its " +
      'response (below)',
  }),
  otlpEndpoint: setting.text({
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    help: 'set: start the OpenTelemetry SDK (below)',
  }),
};

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  /** The metrics listener's port; /metrics is a route of the main port when undefined. */
  readonly metricsPort: number | undefined;
  /** Request log destination; no log when undefined. */
  readonly logFile: string | undefined;
  /** Marker library to call after each response; no marker when undefined. */
  readonly markerLibrary: string | undefined;
  /** The marker function the app calls in it. */
  readonly markerSymbol: MarkerSymbol;
  /** µs of CPU every request burns on the app's thread: a known cost for the calibration. */
  readonly burnUs: number;
  /** In-process OpenTelemetry SDK, enabled by OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly telemetry: boolean;
}

/** Reads the app's settings from `env`; an invalid one is an APP_USAGE error naming it. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const values = parseEnvironment(SETTINGS, {
    env,
    usageError: (message) => new AppError('APP_USAGE', message),
  });
  return Object.freeze({
    host: values.host,
    port: values.port,
    metricsPort: values.metricsPort,
    logFile: values.logFile,
    markerLibrary: values.marker === 'off' ? undefined : values.markerLibrary,
    markerSymbol: MARKER_SYMBOLS[values.marker === 'plain' ? 'plain' : 'nop5'],
    burnUs: values.burnUs,
    telemetry: values.otlpEndpoint !== undefined,
  });
}
