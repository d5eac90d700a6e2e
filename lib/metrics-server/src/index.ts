export {
  serveMetrics,
  type Exposition,
  type MetricsServer,
  type MetricsServerOptions,
} from './serve-metrics.js';
export { registerProcessMetrics } from './process-metrics.js';
