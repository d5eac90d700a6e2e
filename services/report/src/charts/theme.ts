import type { ScenarioName } from '../report.js';

/**
 * The charts' look, shared by every chart so the page reads as one: the width they are drawn
 * at, the colours, the text.
 */

/** The page's content width: charts are drawn at it and scale down with the window. */
export const WIDTH = 960;

/** One colour per scenario in every chart, so a scenario is recognised across them. */
export const SCENARIO_COLORS: Record<ScenarioName, string> = {
  baseline: '#6b7280',
  sidecar: '#e8833a',
  'otel-sdk': '#8e5cc4',
  bpftrace: '#1f9e89',
  'ebpf-core': '#2f6fd6',
  'ebpf-breakpoint': '#c9507a',
  'ebpf-inkernel': '#d4a017',
};

export const LATENCY_COLORS = ['#9cc3e6', '#3d85c6', '#0b3d75'];

/** The app's CPU in blues, then one colour per process a scenario may add. */
export const COMPONENT_COLORS: Record<string, string> = {
  'app user': '#2f6fd6',
  'app system': '#8db3ee',
  collector: '#e8833a',
  bpftrace: '#1f9e89',
  observer: '#2e9e5b',
  aggregator: '#86c98f',
  kafka: '#a0a4ab',
};
export const OTHER_COMPONENT_COLORS = ['#c9507a', '#d9b340', '#5c5f66', '#b07cc6'];

export const EXACT_COLOR = '#2e9e5b';
export const INEXACT_COLOR = '#d9822b';
/** A count of something else than the truth: shown, neither exact nor inexact. */
export const NOT_COMPARABLE_COLOR = '#b8bec6';

export const TEXT = { color: '#1f2328', fontSize: 12, fontFamily: 'sans-serif' };
export const AXIS_NAME = { color: '#57606a', fontSize: 12 };
