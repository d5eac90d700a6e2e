import { onShutdown, runMain, SHUTDOWN_SIGNALS } from '@obscost/errors';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';

/** The process's command name (/proc/PID/comm), which the observer's --comm can find. */
const APP_PROCESS_TITLE = 'obscost-app';

/**
 * The app's entry point. OpenTelemetry, when enabled, starts before the server module
 * (and so `http`) is loaded; when disabled, none of its modules is loaded at all, so the
 * baseline carries no instrumentation.
 */
async function main(): Promise<number> {
  process.title = APP_PROCESS_TITLE;
  const config = loadConfig(process.env);
  const telemetry = config.telemetry ? await import('./telemetry.js') : undefined;
  const sdk = telemetry?.startTelemetry(process.env);

  const { buildServer } = await import('./server.js');
  const { HttpMetrics } = await import('./metrics.js');
  const { RequestLog } = await import('./request-log.js');
  const { loadMarker } = await import('./marker.js');
  const { startMetricsServer } = await import('./metrics-server.js');
  // Loaded only when asked for, so the baseline carries not even an empty hook.
  const burn = config.burnUs > 0 ? (await import('./burn.js')).cpuBurner(config.burnUs) : undefined;

  const metrics = new HttpMetrics();
  const { logFile } = config;
  const requestLog =
    logFile === undefined
      ? undefined
      : new RequestLog(logFile, (err) => {
          process.stderr.write(
            `app: cannot write the request log ${logFile} (${err.message}); requests go on, ` +
              'their lines wait in memory, failures counted in app_request_log_write_errors_total\n',
          );
        });
  if (requestLog) metrics.watchRequestLog(requestLog);
  if (telemetry) metrics.watchTelemetry(telemetry.telemetryErrors);
  const app = buildServer({
    metrics,
    requestLog,
    marker:
      config.markerLibrary === undefined
        ? undefined
        : loadMarker(config.markerLibrary, config.markerSymbol),
    onRoute: telemetry?.recordRoute,
    metricsRoute: config.metricsPort === undefined,
    burn,
  });
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics, config.host, config.metricsPort);
  if (metricsServer) {
    telemetry?.untracedPorts.add(metricsServer.port);
    process.stdout.write(`app metrics on ${metricsServer.url}\n`);
  }

  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    throw new AppError('APP_LISTEN', (err as Error).message, { cause: err });
  }
  process.stdout.write(`app listening on ${address}\n`);

  process.on('SIGHUP', () => requestLog?.reopen());
  const stop = async (signal: string): Promise<void> => {
    process.stdout.write(`app: ${signal}, finishing in-flight requests\n`);
    await app.close();
    await metricsServer?.close();
    await requestLog?.close();
    await sdk?.shutdown();
    process.stdout.write('app stopped\n');
  };
  onShutdown(SHUTDOWN_SIGNALS, (signal) => void stop(signal));
  return 0;
}

// The app has no --help: an invalid variable is its one line, with no hint after it.
runMain('app', main, { usageHint: '' });
