import type {
  CustomSeriesOption,
  CustomSeriesRenderItem,
  EChartsOption,
  ScatterSeriesOption,
} from 'echarts';
import { formatRatio } from '../format.js';
import type { Interval, ScenarioReport } from '../report.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, SCENARIO_COLORS, WIDTH } from './theme.js';

/**
 * Whether figures can be drawn: a ratio to a baseline that measured nothing is Infinity or
 * NaN in memory (null once written to JSON), and an axis stretched to it would never end.
 */
function finite(...values: number[]): boolean {
  return values.every(Number.isFinite);
}

/** Axis steps that read well; the range's ends fall on one, so no tick label is crowded. */
const RATIO_STEPS = [0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10];

/** An interval's low and high ends; the estimate for both when one round gave no interval. */
function ends(interval: Interval): [number, number] {
  return [interval.ci_low ?? interval.estimate, interval.ci_high ?? interval.estimate];
}

/** An axis around the intervals and 1 (the baseline), at most five steps wide. */
function ratioAxis(intervals: readonly Interval[]): { min: number; max: number; interval: number } {
  const low = Math.min(1, ...intervals.map((i) => ends(i)[0]).filter((v) => finite(v)));
  const high = Math.max(1, ...intervals.map((i) => ends(i)[1]).filter((v) => finite(v)));
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

/** The headline ratios, a panel each: the key in `overhead`, the heading, which way is worse. */
const PANELS = [
  ['app', 'app CPU a request', 'higher is worse'],
  ['total', 'total CPU a request', 'higher is worse'],
  ['neighbours', "neighbours' CPU a request", 'the load generator; higher is worse'],
] as const;
type Ratio = (typeof PANELS)[number][0];

/** Where the panels sit: room for the scenario names on the left, a gap between panels. */
const LEFT = 125;
const GAP = 56;
const PANEL_WIDTH = (WIDTH - LEFT - 20 - GAP * (PANELS.length - 1)) / PANELS.length;
const panelLeft = (i: number): number => LEFT + i * (PANEL_WIDTH + GAP);

/** One panel's drawing: each scenario's interval as a whisker, its estimate as a dot on it. */
function panelSeries(
  compared: readonly ScenarioReport[],
  key: Ratio,
  i: number,
): [CustomSeriesOption, ScatterSeriesOption] {
  const whiskers: CustomSeriesOption = {
    type: 'custom',
    xAxisIndex: i,
    yAxisIndex: i,
    renderItem: whisker,
    encode: { x: [0, 1], y: 2 },
    data: compared.flatMap((s, c) => {
      const interval = s.overhead?.[key];
      if (interval === undefined || interval.ci_low === null || interval.ci_high === null) {
        return [];
      }
      return finite(interval.ci_low, interval.ci_high)
        ? [[interval.ci_low, interval.ci_high, c]]
        : [];
    }),
    silent: true,
  };
  const medians: ScatterSeriesOption = {
    type: 'scatter',
    xAxisIndex: i,
    yAxisIndex: i,
    symbolSize: 13,
    data: compared.flatMap((s, c) => {
      const estimate = s.overhead?.[key].estimate;
      if (estimate === undefined || !finite(estimate)) return [];
      return [{ value: [estimate, c], itemStyle: { color: SCENARIO_COLORS[s.name] } }];
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
}

/** The panels side by side, the scenario names on the first one's axis only. */
function overheadOption(compared: readonly ScenarioReport[]): EChartsOption {
  const names = compared.map((s) => s.name);
  return {
    title: PANELS.map(([, title, hint], i) => ({
      text: title,
      subtext: hint,
      left: panelLeft(i),
      top: 0,
      textStyle: { fontSize: 13, color: '#1f2328' },
      subtextStyle: { fontSize: 11, color: '#57606a' },
      itemGap: 4,
    })),
    grid: PANELS.map((_, i) => ({ left: panelLeft(i), width: PANEL_WIDTH, top: 70, bottom: 36 })),
    xAxis: PANELS.map(([key], i) => ({
      type: 'value',
      gridIndex: i,
      ...ratioAxis(compared.flatMap((s) => (s.overhead ? [s.overhead[key]] : []))),
      name: '× baseline',
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_NAME,
      axisLabel: { formatter: (v: number) => String(Number(v.toFixed(2))) },
    })),
    yAxis: PANELS.map((_, i) => ({
      type: 'category',
      gridIndex: i,
      data: names,
      inverse: true,
      axisLabel: { show: i === 0, fontSize: 13 },
      axisTick: { show: false },
    })),
    series: PANELS.flatMap(([key], i) => panelSeries(compared, key, i)),
  };
}

export function overheadChart(scenarios: readonly ScenarioReport[]): Chart {
  const compared = scenarios.filter((s) => s.overhead !== undefined);
  return {
    id: 'chart-overhead',
    title: 'Overhead against the baseline',
    about:
      "Each scenario's CPU a request divided by the baseline's in the same round: the dot is the " +
      'estimate over the rounds, the bar its confidence interval. 1 means no cost.',
    svg: draw(overheadOption(compared), 120 + compared.length * 50),
  };
}
