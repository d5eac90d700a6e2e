import type { BarSeriesOption, LineSeriesOption } from 'echarts';
import { formatCount, formatFigure } from '../format.js';
import type { ScenarioReport } from '../report.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, LATENCY_COLORS, SCENARIO_COLORS } from './theme.js';

/** The open model's latency: a few percentiles side by side, and the whole curve. */

export function latencyChart(scenarios: readonly ScenarioReport[], rate: number): Chart {
  const keys = [
    ['p50', 'p50'],
    ['p99', 'p99'],
    ['p999', 'p99.9'],
  ] as const;
  const series: BarSeriesOption[] = keys.map(([key, name], k) => ({
    type: 'bar',
    name,
    barGap: '15%',
    barMaxWidth: 56,
    itemStyle: { color: LATENCY_COLORS[k] ?? '#3d85c6' },
    data: scenarios.map((s) => s.latency_ms[key]),
    label: {
      show: true,
      position: 'top',
      fontSize: 11,
      formatter: ({ value }) => formatFigure(Number(value)),
    },
  }));
  return {
    id: 'chart-latency',
    title: 'Latency at the fixed rate',
    about:
      `Response time in the open model, every scenario at the same ${formatCount(rate)} req/s, ` +
      'measured from when each request was due (so a stalled app cannot hide its queue): the ' +
      'median of each percentile over the rounds.',
    svg: draw(
      {
        grid: { left: 80, right: 30, top: 50, bottom: 40 },
        legend: { top: 0 },
        xAxis: {
          type: 'category',
          data: scenarios.map((s) => s.name),
          axisLabel: { fontSize: 13 },
        },
        yAxis: { type: 'value', name: 'ms', nameTextStyle: AXIS_NAME },
        series,
      },
      360,
    ),
  };
}

/** Percentiles as the distance from 100% on a log scale: 90% -> 1, 99% -> 2, 99.9% -> 3. */
function nines(percentile: number): number {
  return Math.log10(100 / (100 - percentile));
}

const PERCENTILE_LABELS = [50, 90, 99, 99.9, 99.99, 99.999];

export function distributionChart(scenarios: readonly ScenarioReport[], rate: number): Chart {
  const curves = scenarios.map((s) => ({
    scenario: s,
    // 100% is the maximum: infinitely far on this axis, and in the table as `max`. A log
    // axis has no room for 0 ms either.
    points: s.latency_distribution
      .filter((p) => p.percentile < 100 && p.ms > 0)
      .map((p) => [nines(p.percentile), p.ms]),
  }));
  const farthest = Math.max(1, ...curves.flatMap((c) => c.points.map(([x]) => x ?? 0)));
  const end = Math.ceil(farthest - 1e-9);
  const ticks = PERCENTILE_LABELS.map(nines).filter((x) => x <= end + 1e-9);
  const labelOf = (x: number): string => {
    const i = ticks.findIndex((t) => Math.abs(t - x) < 1e-6);
    return i < 0 ? '' : `${String(PERCENTILE_LABELS[i])}%`;
  };
  const series: LineSeriesOption[] = curves.map(({ scenario, points }) => ({
    type: 'line',
    name: scenario.name,
    data: points,
    showSymbol: true,
    symbolSize: 5,
    // The baseline dashed and on top: a scenario that costs little lies right under it.
    z: scenario.name === 'baseline' ? 3 : 2,
    lineStyle: {
      width: 2.5,
      color: SCENARIO_COLORS[scenario.name],
      type: scenario.name === 'baseline' ? 'dashed' : 'solid',
    },
    itemStyle: { color: SCENARIO_COLORS[scenario.name] },
  }));
  return {
    id: 'chart-distribution',
    title: 'Latency distribution',
    about:
      `The open model at ${formatCount(rate)} req/s: the response time below which each share ` +
      'of the responses fell (an HDR percentile curve, median over the rounds). The tail is ' +
      'stretched: each step to the right adds a nine.',
    svg: draw(
      {
        grid: { left: 80, right: 40, top: 50, bottom: 50 },
        legend: { top: 0 },
        xAxis: {
          type: 'value',
          min: 0,
          max: end,
          name: 'percentile',
          nameLocation: 'middle',
          nameGap: 30,
          nameTextStyle: AXIS_NAME,
          axisLabel: { customValues: ticks, formatter: labelOf },
          axisTick: { customValues: ticks },
          splitLine: { show: true, lineStyle: { color: '#eceef1' } },
        },
        yAxis: {
          type: 'log',
          logBase: 10,
          name: 'ms (log scale)',
          nameTextStyle: AXIS_NAME,
          minorTick: { show: true },
          minorSplitLine: { show: true, lineStyle: { color: '#f3f4f6' } },
          axisLabel: { formatter: (v: number) => String(v) },
        },
        series,
      },
      420,
    ),
  };
}
