export { DEFAULT_MARKER_LIBRARY, loadConfig, SETTINGS, type AppConfig } from './config.js';
export { AppError, ERRORS, type AppErrorCode } from './errors.js';
export { loadMarker, type Marker } from './marker.js';
export { HttpMetrics } from './metrics.js';
export { startMetricsServer } from './metrics-server.js';
export { RequestLog, type RequestLogRecord } from './request-log.js';
export { buildServer, UNMATCHED_ROUTE, type ServerParts } from './server.js';
export { MAX_WORK_MS, parseWorkMs } from './work.js';
