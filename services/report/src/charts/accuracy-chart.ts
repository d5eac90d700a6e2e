import { formatShare } from '../format.js';
import type { Accuracy, ScenarioReport } from '../report.js';
import { approachesOf } from '../selectors.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, EXACT_COLOR, INEXACT_COLOR, NOT_COMPARABLE_COLOR } from './theme.js';

/** A bar's colour: whether it is exact, or no verdict at all. */
function colorOf(a: Accuracy): string {
  if (a.not_comparable?.[a.unit] !== undefined) return NOT_COMPARABLE_COLOR;
  return a.exact ? EXACT_COLOR : INEXACT_COLOR;
}

/**
 * Each approach's count as a share of the truth, a bar each; a count not comparable on the
 * service observed in grey, marked so rather than ✓ or ✗.
 */
export function accuracyChart(scenarios: readonly ScenarioReport[]): Chart {
  const bars = scenarios.flatMap((s) =>
    approachesOf(s).map(([approach, a]) => {
      const comparable = a.not_comparable?.[a.unit] === undefined;
      return {
        label: `${s.name} · ${approach}`,
        share: a.truth === 0 ? (a.counted === 0 ? 100 : 0) : (a.counted / a.truth) * 100,
        text: `${formatShare(a.counted, a.truth)} ${comparable ? (a.exact ? '✓' : '✗') : 'not comparable'}`,
        color: colorOf(a),
        comparable,
      };
    }),
  );
  const greyNote = bars.some((b) => !b.comparable)
    ? ' Grey bars count something else than the truth on this service: not comparable, ' +
      'the accuracy table says why.'
    : '';
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
      `${String(min)}%.${greyNote}`,
    svg: draw(
      {
        // Room on the right for the longest label, "99.99% not comparable" where there is one.
        grid: { left: 230, right: greyNote === '' ? 110 : 200, top: 20, bottom: 40 },
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
              itemStyle: { color: b.color },
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
