import type { BarSeriesOption, ScatterSeriesOption } from 'echarts';
import { formatFigure } from '../format.js';
import type { ScenarioReport } from '../report.js';
import { addedProcesses } from '../selectors.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, COMPONENT_COLORS, OTHER_COMPONENT_COLORS } from './theme.js';

/** The CPU seconds of the app and of each process a scenario added, stacked. */
export function cpuChart(scenarios: readonly ScenarioReport[]): Chart {
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
