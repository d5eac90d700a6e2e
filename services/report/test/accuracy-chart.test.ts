import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyChart } from '../src/charts/accuracy-chart.js';
import type { ScenarioReport } from '../src/report.js';
import { smallReport } from './small-report.js';

/** The small report's eBPF scenario with bpftrace's measures beside it, one of them 0%. */
function scenariosWithAWorstFigure(): ScenarioReport[] {
  const [baseline, , ebpf] = smallReport().scenarios;
  assert.ok(baseline && ebpf);
  const traced: ScenarioReport = {
    ...ebpf,
    name: 'bpftrace',
    accuracy: {
      bpftrace: {
        unit: 'requests',
        counted: 20_999,
        truth: 21_000,
        exact: false,
        source: 'bpftrace',
        bytes: { counted: 0, truth: 3_000_000, exact: false },
      },
    },
  };
  return [baseline, traced, ebpf];
}

test('the accuracy chart draws every measure, however far from the truth', () => {
  const chart = accuracyChart(scenariosWithAWorstFigure());
  for (const label of [
    'baseline · app · requests',
    'bpftrace · bpftrace · requests',
    'bpftrace · bpftrace · bytes',
    'ebpf-core · ebpf_tcp_send · bytes',
    'ebpf-core · ebpf_tcp_send · observer&#39;s bytes',
  ]) {
    assert.ok(chart.svg.includes(label), label);
  }
  assert.ok(chart.svg.includes('0.0% ✗'), "bpftrace's bytes: 0 of the truth, drawn and labelled");
  assert.ok(chart.svg.includes('99.995% ✗'));
  // The whole-scale panel starts at 0, whatever the lowest bar.
  assert.match(chart.about, /the whole scale from 0%/);
});

test('a count past the truth widens the whole scale to a round top', () => {
  const [baseline] = smallReport().scenarios;
  assert.ok(baseline);
  const doubled: ScenarioReport = {
    ...baseline,
    accuracy: {
      app: { unit: 'requests', counted: 43_978, truth: 22_000, exact: false, source: 'app' },
    },
  };
  const chart = accuracyChart([doubled]);
  assert.ok(chart.svg.includes('199.9% ✗'));
  assert.ok(chart.svg.includes('>200<'), 'the axis ends at 200%');
});
