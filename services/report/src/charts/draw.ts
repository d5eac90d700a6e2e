import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { TEXT, WIDTH } from './theme.js';

/**
 * The report's charts are drawn by ECharts on the server into SVG: the page needs no script
 * to show them, and opens from file:// without the network.
 */

/** One chart of the page: a stable id, a heading, what it shows, and the drawing. */
export interface Chart {
  id: string;
  title: string;
  about: string;
  svg: string;
}

/** Draws one chart into an SVG string; the chart is disposed of whatever happens. */
export function draw(option: EChartsOption, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: TEXT, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
