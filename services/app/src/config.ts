import path from 'node:path';

/** Where `make -C services/app/native` puts the marker library. */
export const DEFAULT_MARKER_LIBRARY = path.resolve(
  import.meta.dirname,
  '../../native/build/libappmarker.so',
);

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  /** Request log destination; no log when undefined. */
  readonly logFile: string | undefined;
  /** Marker library to call after each response; no marker when undefined. */
  readonly markerLibrary: string | undefined;
  /** In-process OpenTelemetry SDK, enabled by OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly telemetry: boolean;
}

/** Invalid configuration: the message names the variable, the value and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function parseMarker(raw: string): boolean {
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`APP_MARKER must be "on" or "off", got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const marker = parseMarker(env.APP_MARKER ?? 'on');
  return Object.freeze({
    host: env.HOST ?? '127.0.0.1',
    port: parsePort(env.PORT ?? '8080'),
    logFile: env.APP_LOG_FILE === '' ? undefined : env.APP_LOG_FILE,
    markerLibrary: marker ? (env.APP_MARKER_LIB ?? DEFAULT_MARKER_LIBRARY) : undefined,
    telemetry: (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '') !== '',
  });
}
