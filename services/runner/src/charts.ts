import * as echarts from 'echarts';
import type {
  BarSeriesOption,
  CustomSeriesOption,
  CustomSeriesRenderItem,
  EChartsOption,
  LineSeriesOption,
  ScatterSeriesOption,
} from 'echarts';
import { formatCount, formatFigure, formatRatio, formatShare } from './format.js';
import type { Report, ScenarioName, ScenarioReport, Spread } from './report.js';
import { addedProcesses, approachesOf, measured } from './report-tables.js';

/**
 * The report's charts, drawn by ECharts on the server into SVG: the page needs no script to
 * show them, and opens from file:// without the network.
 */

/** One chart of the page: a stable id, a heading, what it shows, and the drawing. */
export interface Chart {
  id: string;
  title: string;
  about: string;
  svg: string;
}

/** The page's content width: charts are drawn at it and scale down with the window. */
const WIDTH = 960;

/** One colour per scenario in every chart, so a scenario is recognised across them. */
const SCENARIO_COLORS: Record<ScenarioName, string> = {
  baseline: '#6b7280',
  sidecar: '#e8833a',
  'otel-sdk': '#8e5cc4',
  bpftrace: '#1f9e89',
  'ebpf-core': '#2f6fd6',
  'ebpf-breakpoint': '#c9507a',
  'ebpf-inkernel': '#d4a017',
};

const LATENCY_COLORS = ['#9cc3e6', '#3d85c6', '#0b3d75'];

/** The app's CPU in blues, then one colour per process a scenario may add. */
const COMPONENT_COLORS: Record<string, string> = {
  'app user': '#2f6fd6',
  'app system': '#8db3ee',
  collector: '#e8833a',
  bpftrace: '#1f9e89',
  observer: '#2e9e5b',
  aggregator: '#86c98f',
  kafka: '#a0a4ab',
};
const OTHER_COMPONENT_COLORS = ['#c9507a', '#d9b340', '#5c5f66', '#b07cc6'];

const EXACT_COLOR = '#2e9e5b';
const INEXACT_COLOR = '#d9822b';

const TEXT = { color: '#1f2328', fontSize: 12, fontFamily: 'sans-serif' };
const AXIS_NAME = { color: '#57606a', fontSize: 12 };

/** Draws one chart into an SVG string; the chart is disposed of whatever happens. */
function draw(option: EChartsOption, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: TEXT, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function capacityChart(scenarios: readonly ScenarioReport[]): Chart {
  const names = scenarios.map((s) => s.name);
  const bars: BarSeriesOption = {
    type: 'bar',
    name: 'median',
    barMaxWidth: 90,
    data: scenarios.map((s) => ({ value: s.rps, itemStyle: { color: SCENARIO_COLORS[s.name] } })),
    // Inside the bar's top: above it, the rounds' dots would cover the figure.
    label: {
      show: true,
      position: 'insideTop',
      distance: 10,
      color: '#ffffff',
      fontWeight: 'bold',
      fontSize: 13,
      formatter: ({ value }) => formatCount(Number(value)),
    },
  };
  const rounds: ScatterSeriesOption = {
    type: 'scatter',
    name: 'each round',
    symbolSize: 7,
    itemStyle: { color: '#1f2328', opacity: 0.55 },
    data: scenarios.flatMap((s, i) => s.rounds.map((r) => [i, r.rps])),
  };
  return {
    id: 'chart-capacity',
    title: 'Capacity',
    about:
      'Requests per second the app completed in the closed model (a fixed number of ' +
      'connections, each sending as soon as it had an answer): the median over the rounds, ' +
      'a dot for each round.',
    svg: draw(
      {
        grid: { left: 80, right: 30, top: 40, bottom: 40 },
        legend: { top: 0, data: ['each round'] },
        xAxis: { type: 'category', data: names, axisLabel: { fontSize: 13 } },
        yAxis: {
          type: 'value',
          name: 'req/s',
          nameTextStyle: AXIS_NAME,
          axisLabel: { formatter: (v: number) => formatCount(v) },
        },
        series: [bars, rounds],
      },
      340,
    ),
  };
}

function latencyChart(scenarios: readonly ScenarioReport[], rate: number): Chart {
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

/**
 * Whether figures can be drawn: a ratio to a baseline that measured nothing is Infinity or
 * NaN in memory (null once written to JSON), and an axis stretched to it would never end.
 */
function finite(...values: number[]): boolean {
  return values.every(Number.isFinite);
}

/** Axis steps that read well; the range's ends fall on one, so no tick label is crowded. */
const RATIO_STEPS = [0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10];

/** An axis around the spreads and 1 (the baseline), at most five steps wide. */
function ratioAxis(spreads: readonly Spread[]): { min: number; max: number; interval: number } {
  const low = Math.min(1, ...spreads.map((s) => s.min).filter((v) => finite(v)));
  const high = Math.max(1, ...spreads.map((s) => s.max).filter((v) => finite(v)));
  // Room on both sides, so a dot on the edge and its label stay inside the panel.
  const room = Math.max(0.02, (high - low) * 0.08);
  const span = high - low + 2 * room;
  const interval = RATIO_STEPS.find((step) => span / step <= 5) ?? 10;
  const round = (v: number) => Number(v.toFixed(6));
  return {
    min: Math.max(0, round(Math.floor((low - room) / interval) * interval)),
    max: round(Math.ceil((high + room) / interval) * interval),
    interval,
  };
}

/** A horizontal line from min to max with end caps: each data item is [min, max, category]. */
const whisker: CustomSeriesRenderItem = (_params, api) => {
  const category = Number(api.value(2));
  const from = api.coord([api.value(0), category]);
  const to = api.coord([api.value(1), category]);
  const [x1 = 0, y = 0] = from;
  const [x2 = 0] = to;
  const cap = 7;
  const style = { stroke: '#1f2328', lineWidth: 1.5 };
  return {
    type: 'group',
    children: [
      { type: 'line', shape: { x1, y1: y, x2, y2: y }, style },
      { type: 'line', shape: { x1, y1: y - cap, x2: x1, y2: y + cap }, style },
      { type: 'line', shape: { x1: x2, y1: y - cap, x2, y2: y + cap }, style },
    ],
  };
};

function overheadChart(scenarios: readonly ScenarioReport[]): Chart {
  const compared = scenarios.filter((s) => s.overhead !== undefined);
  const panels = [
    ['rps_ratio', 'capacity (req/s)', 'lower is worse'],
    ['p99_ratio', 'p99 latency', 'higher is worse'],
    ['cpu_ratio', 'app CPU per request', 'higher is worse'],
  ] as const;
  const names = compared.map((s) => s.name);
  const left = 125;
  const gap = 56;
  const panelWidth = (WIDTH - left - 20 - gap * (panels.length - 1)) / panels.length;
  const height = 120 + compared.length * 50;
  const option: EChartsOption = {
    title: panels.map(([, title, hint], i) => ({
      text: title,
      subtext: hint,
      left: left + i * (panelWidth + gap),
      top: 0,
      textStyle: { fontSize: 13, color: '#1f2328' },
      subtextStyle: { fontSize: 11, color: '#57606a' },
      itemGap: 4,
    })),
    grid: panels.map((_, i) => ({
      left: left + i * (panelWidth + gap),
      width: panelWidth,
      top: 70,
      bottom: 36,
    })),
    xAxis: panels.map(([key], i) => ({
      type: 'value',
      gridIndex: i,
      ...ratioAxis(compared.flatMap((s) => (s.overhead ? [s.overhead[key]] : []))),
      name: '× baseline',
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_NAME,
      axisLabel: { formatter: (v: number) => String(Number(v.toFixed(2))) },
    })),
    yAxis: panels.map((_, i) => ({
      type: 'category',
      gridIndex: i,
      data: names,
      inverse: true,
      axisLabel: { show: i === 0, fontSize: 13 },
      axisTick: { show: false },
    })),
    series: panels.flatMap(([key], i) => {
      const whiskers: CustomSeriesOption = {
        type: 'custom',
        xAxisIndex: i,
        yAxisIndex: i,
        renderItem: whisker,
        encode: { x: [0, 1], y: 2 },
        data: compared.flatMap((s, c) => {
          const spread = s.overhead?.[key];
          return spread && finite(spread.min, spread.max) ? [[spread.min, spread.max, c]] : [];
        }),
        silent: true,
      };
      const medians: ScatterSeriesOption = {
        type: 'scatter',
        xAxisIndex: i,
        yAxisIndex: i,
        symbolSize: 13,
        data: compared.flatMap((s, c) => {
          const median = s.overhead?.[key].median;
          if (median === undefined || !finite(median)) return [];
          return [{ value: [median, c], itemStyle: { color: SCENARIO_COLORS[s.name] } }];
        }),
        label: {
          show: true,
          position: 'top',
          distance: 6,
          fontWeight: 'bold',
          // Readable where it sits on the baseline's dashed line.
          backgroundColor: '#ffffff',
          padding: [1, 3],
          formatter: ({ value }) => formatRatio(Number((value as number[])[0])),
        },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#57606a', type: 'dashed' },
          // The y axis runs downwards: its start is the panel's top.
          label: { formatter: 'baseline', position: 'start', color: '#57606a', fontSize: 11 },
          data: [{ xAxis: 1 }],
        },
      };
      return [whiskers, medians];
    }),
  };
  return {
    id: 'chart-overhead',
    title: 'Overhead against the baseline',
    about:
      "Each scenario's figure divided by the baseline's in the same round: the dot is the " +
      'median over the rounds, the bar spans the lowest and highest round. 1 means no cost.',
    svg: draw(option, height),
  };
}

function cpuChart(scenarios: readonly ScenarioReport[]): Chart {
  const app = (s: ScenarioReport) => s.processes.find((p) => p.name === 'app')?.cpu_s;
  const processNames = [
    ...new Set(scenarios.flatMap((s) => addedProcesses(s).map(({ process }) => process.name))),
  ];
  const components: { name: string; seconds: (s: ScenarioReport) => number }[] = [
    { name: 'app user', seconds: (s) => app(s)?.user ?? 0 },
    { name: 'app system', seconds: (s) => app(s)?.system ?? 0 },
    ...processNames.map((name) => ({
      name,
      seconds: (s: ScenarioReport) => {
        const cpu = s.processes.find((p) => p.name === name)?.cpu_s;
        return cpu === undefined ? 0 : cpu.user + cpu.system;
      },
    })),
  ];
  const totals = scenarios.map((s) => components.reduce((sum, c) => sum + c.seconds(s), 0));
  const largest = Math.max(0, ...totals);
  let other = 0;
  const series: BarSeriesOption[] = components.map((c) => ({
    type: 'bar',
    name: c.name,
    stack: 'cpu',
    barMaxWidth: 110,
    itemStyle: {
      color:
        COMPONENT_COLORS[c.name] ??
        OTHER_COMPONENT_COLORS[other++ % OTHER_COMPONENT_COLORS.length] ??
        '#5c5f66',
      borderColor: '#ffffff',
      borderWidth: 1,
    },
    data: scenarios.map((s) => c.seconds(s)),
    label: {
      show: true,
      position: 'inside',
      fontSize: 11,
      // A figure only where its segment is tall enough to hold it.
      formatter: ({ value }) =>
        Number(value) >= largest * 0.06 ? formatFigure(Number(value)) : '',
    },
  }));
  const total: ScatterSeriesOption = {
    type: 'scatter',
    name: 'total',
    symbolSize: 0,
    data: totals.map((t, i) => [i, t]),
    label: {
      show: true,
      position: 'top',
      fontWeight: 'bold',
      formatter: ({ value }) => `${formatFigure(Number((value as number[])[1]))} s`,
    },
    silent: true,
  };
  return {
    id: 'chart-cpu',
    title: 'CPU by component',
    about:
      'CPU seconds over the measured runs (the closed and the open model), median over the ' +
      "rounds: the app's user and system time, and every process the scenario added.",
    svg: draw(
      {
        grid: { left: 80, right: 30, top: 60, bottom: 40 },
        legend: { top: 0, data: components.map((c) => c.name) },
        xAxis: {
          type: 'category',
          data: scenarios.map((s) => s.name),
          axisLabel: { fontSize: 13 },
        },
        yAxis: { type: 'value', name: 'CPU s', nameTextStyle: AXIS_NAME },
        series: [...series, total],
      },
      400,
    ),
  };
}

/** Percentiles as the distance from 100% on a log scale: 90% -> 1, 99% -> 2, 99.9% -> 3. */
function nines(percentile: number): number {
  return Math.log10(100 / (100 - percentile));
}

const PERCENTILE_LABELS = [50, 90, 99, 99.9, 99.99, 99.999];

function distributionChart(scenarios: readonly ScenarioReport[], rate: number): Chart {
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

function accuracyChart(scenarios: readonly ScenarioReport[]): Chart {
  const bars = scenarios.flatMap((s) =>
    approachesOf(s).map(([approach, a]) => ({
      label: `${s.name} · ${approach}`,
      share: a.truth === 0 ? (a.counted === 0 ? 100 : 0) : (a.counted / a.truth) * 100,
      text: `${formatShare(a.counted, a.truth)} ${a.exact ? '✓' : '✗'}`,
      exact: a.exact,
    })),
  );
  const lowest = Math.min(100, ...bars.map((b) => b.share));
  const highest = Math.max(100, ...bars.map((b) => b.share));
  // Counts are near 100% or far off: start the axis where the lowest bar still shows.
  const min = lowest >= 99 ? 99 : lowest >= 90 ? 90 : 0;
  return {
    id: 'chart-accuracy',
    title: 'Accuracy',
    about:
      "Each approach's count as a share of the truth (what the load generator received), " +
      'summed over the rounds: 100% ✓ is exact. The axis starts at ' +
      `${String(min)}%.`,
    svg: draw(
      {
        grid: { left: 230, right: 110, top: 20, bottom: 40 },
        xAxis: {
          type: 'value',
          min,
          max: Math.ceil(highest),
          name: '% of the truth',
          nameLocation: 'middle',
          nameGap: 26,
          nameTextStyle: AXIS_NAME,
        },
        yAxis: {
          type: 'category',
          inverse: true,
          data: bars.map((b) => b.label),
          axisTick: { show: false },
        },
        series: [
          {
            type: 'bar',
            barMaxWidth: 20,
            data: bars.map((b) => ({
              value: b.share,
              itemStyle: { color: b.exact ? EXACT_COLOR : INEXACT_COLOR },
              label: { formatter: b.text },
            })),
            label: { show: true, position: 'right', fontWeight: 'bold' },
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { color: '#57606a', type: 'dashed' },
              label: { show: false },
              data: [{ xAxis: 100 }],
            },
          },
        ],
      },
      70 + bars.length * 30,
    ),
  };
}

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
