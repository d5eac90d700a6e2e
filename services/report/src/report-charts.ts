import { accuracyChart } from './charts/accuracy-chart.js';
import { capacityChart } from './charts/capacity-chart.js';
import { cpuChart } from './charts/cpu-chart.js';
import type { Chart } from './charts/draw.js';
import { distributionChart, latencyChart } from './charts/latency-charts.js';
import { overheadChart } from './charts/overhead-chart.js';
import type { Report } from './report.js';
import { measured } from './selectors.js';

export type { Chart };

/**
 * Every chart of the report, drawn from the scenarios that were measured: a skipped or failed
 * one is in the tables with its reason, not in the charts. No charts when none was measured.
 */
export function reportCharts(report: Report): Chart[] {
  const shown = report.scenarios.filter(measured);
  if (shown.length === 0) return [];
  return [
    capacityChart(shown),
    latencyChart(shown, report.settings.rate),
    ...(shown.some((s) => s.overhead !== undefined) ? [overheadChart(shown)] : []),
    cpuChart(shown),
    distributionChart(shown, report.settings.rate),
    ...(shown.some((s) => Object.keys(s.accuracy).length > 0) ? [accuracyChart(shown)] : []),
  ];
}
