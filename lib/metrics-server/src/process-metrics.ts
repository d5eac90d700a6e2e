import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's default gauges whose names end in `_total`, which promtool's `check metrics`
 * rejects ("non-counter metrics should not have _total suffix"). The same counts remain, by
 * type, in `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources`.
 */
const MISNAMED_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The process's CPU, memory and Node.js runtime metrics in `registry`, read at each scrape,
 * for the pipeline-health dashboard: prom-client's defaults but the misnamed gauges.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(name);
}
