import type { BarSeriesOption, ScatterSeriesOption } from 'echarts';
import { formatCount } from '../format.js';
import type { ScenarioReport } from '../report.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, SCENARIO_COLORS } from './theme.js';

/** Each scenario's capacity: a bar for the median, a dot for each round. */
export function capacityChart(scenarios: readonly ScenarioReport[]): Chart {
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
