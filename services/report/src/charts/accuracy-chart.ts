import { formatShare } from '../format.js';
import type { ScenarioReport } from '../report.js';
import { approachesOf } from '../selectors.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, EXACT_COLOR, INEXACT_COLOR } from './theme.js';

/** Each approach's count as a share of the truth, a bar each. */
export function accuracyChart(scenarios: readonly ScenarioReport[]): Chart {
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
