import { formatShare } from '../format.js';
import type { Accuracy, ScenarioReport } from '../report.js';
import { approachesOf } from '../selectors.js';
import { draw, type Chart } from './draw.js';
import { AXIS_NAME, EXACT_COLOR, INEXACT_COLOR, NOT_COMPARABLE_COLOR } from './theme.js';

/** One measure of one approach: its requests (or bytes), its bytes, the observer's own count. */
interface MeasureBar {
  label: string;
  share: number;
  text: string;
  color: string;
  comparable: boolean;
}

/** The zoomed panel's range: where "exact" and "a few in a million off" can be told apart. */
const NEAR = { min: 99, max: 101 };
const ROW_HEIGHT = 24;

function measureBar(
  label: string,
  count: { counted: number; truth: number; exact: boolean },
  comparable: boolean,
): MeasureBar {
  const { counted, truth, exact } = count;
  return {
    label,
    share: truth === 0 ? (counted === 0 ? 100 : 0) : (counted / truth) * 100,
    text: `${formatShare(counted, truth)} ${comparable ? (exact ? '✓' : '✗') : 'not comparable'}`,
    color: comparable ? (exact ? EXACT_COLOR : INEXACT_COLOR) : NOT_COMPARABLE_COLOR,
    comparable,
  };
}

/** Every measure an approach reports, each a bar: none is left out, however far off. */
function measureBars(scenario: string, approach: string, a: Accuracy): MeasureBar[] {
  const comparable = (unit: Accuracy['unit']) => a.not_comparable?.[unit] === undefined;
  const name = `${scenario} · ${approach}`;
  return [
    measureBar(`${name} · ${a.unit}`, a, comparable(a.unit)),
    ...(a.bytes !== undefined && a.unit !== 'bytes'
      ? [measureBar(`${name} · bytes`, a.bytes, comparable('bytes'))]
      : []),
    ...(a.observer !== undefined
      ? [measureBar(`${name} · observer's ${a.unit}`, a.observer, comparable(a.unit))]
      : []),
  ];
}

/** A round top for the whole-scale axis: 100%, or past the highest bar by a round step. */
function scaleTop(highest: number): number {
  if (highest <= 100) return 100;
  const step = highest <= 200 ? 20 : highest <= 1000 ? 100 : 10 ** Math.floor(Math.log10(highest));
  return Math.ceil(highest / step) * step;
}

/**
 * Every measure of every approach as a share of the truth, in two panels: the whole scale from
 * 0, where the worst figure is always drawn, and 99–101%, where an exact count and one a few
 * in a million off can be told apart. A measure not comparable on the service observed is
 * grey, marked so rather than ✓ or ✗.
 */
export function accuracyChart(scenarios: readonly ScenarioReport[]): Chart {
  const bars = scenarios.flatMap((s) =>
    approachesOf(s).flatMap(([approach, a]) => measureBars(s.name, approach, a)),
  );
  const greyNote = bars.some((b) => !b.comparable)
    ? ' Grey bars count something else than the truth on this service: not comparable, ' +
      'the accuracy table says why.'
    : '';
  const top = scaleTop(Math.max(...bars.map((b) => b.share)));
  const labels = bars.map((b) => b.label);
  const axis = (gridIndex: number, min: number, max: number, name: string) => ({
    type: 'value' as const,
    gridIndex,
    min,
    max,
    name,
    nameLocation: 'middle' as const,
    nameGap: 26,
    nameTextStyle: AXIS_NAME,
  });
  const category = (gridIndex: number, data: string[], show: boolean) => ({
    type: 'category' as const,
    gridIndex,
    inverse: true,
    data,
    axisTick: { show: false },
    axisLabel: { show },
    ...(gridIndex === 1 ? { position: 'right' as const, axisLine: { show: false } } : {}),
  });
  const series = (index: number) => ({
    type: 'bar' as const,
    xAxisIndex: index,
    yAxisIndex: index,
    barMaxWidth: 16,
    clip: true,
    data: bars.map((b) => ({ value: b.share, itemStyle: { color: b.color } })),
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: '#57606a', type: 'dashed' as const },
      label: { show: false },
      data: [{ xAxis: 100 }],
    },
  });
  return {
    id: 'chart-accuracy',
    title: 'Accuracy',
    about:
      "Every measure of each approach (its requests or bytes, and the eBPF observer's own count) " +
      'as a share of the truth (what the load generator received), summed over the rounds: ' +
      `100% ✓ is exact. Left, the whole scale from 0%, so the worst figure is always drawn; ` +
      `right, ${String(NEAR.min)}–${String(NEAR.max)}%, where a count a few in a million off ` +
      `shows.${greyNote}`,
    svg: draw(
      {
        grid: [
          { left: 300, width: 250, top: 20, bottom: 40 },
          { left: 580, width: 170, top: 20, bottom: 40 },
        ],
        xAxis: [
          axis(0, 0, top, '% of the truth'),
          axis(1, NEAR.min, NEAR.max, `near the truth, %`),
        ],
        // The right panel's axis carries each bar's figure, in the margin where none is clipped.
        yAxis: [
          category(0, labels, true),
          category(
            1,
            bars.map((b) => b.text),
            true,
          ),
        ],
        series: [series(0), series(1)],
      },
      70 + bars.length * ROW_HEIGHT,
    ),
  };
}
