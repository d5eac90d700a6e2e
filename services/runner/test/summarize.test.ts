import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RoundResult } from '@obscost/report';
import { ratioInterval } from '@obscost/measure';
import { summarize } from '../src/summarize.js';

const SETTINGS = { confidence: 0.95, target: 0.03 };

const pairsOf = (subjects: number[], references: number[]) =>
  subjects.map((subject, i) => ({ subject, reference: references[i] ?? 0 }));

function round(n: number, rps: number, p99: number, cpu: number, counted: number): RoundResult {
  return {
    round: n,
    rps,
    open_rps: 100,
    latency_ms: { p50: 1, p90: 2, p99, p999: 4, max: 5, mean: 1.5 },
    latency_distribution: [
      { percentile: 50, ms: 1 },
      { percentile: 100, ms: p99 * 2 },
    ],
    schedule_lag_ms: { p50: 0.04, p90: 0.06, p99: 0.9, p999: 2, max: 4, mean: 0.08 },
    errors: 1,
    app_cpu_us_per_request: { user: cpu / 2, system: cpu / 2, total: cpu },
    cost_us_per_request: { app: cpu, total: cpu + 10, neighbours: 5 },
    foreign: { closed: { app_cpus: 0, other_cpus: 0 }, open: { app_cpus: 0, other_cpus: 0 } },
    bench_cpu_fraction: 0.5,
    app_cpu_fraction: 0.99,
    processes: [
      { name: 'collector', pid: 10 + n, cpu_s: { user: n, system: 0 }, peak_rss_bytes: n * 1000 },
    ],
    bpf_programs: [
      {
        name: 'w',
        type: 'tracepoint',
        owner: 'o',
        run_cnt: 10,
        run_time_ns: 100 * n,
        ns_per_run: 10 * n,
      },
    ],
    accuracy: {
      sidecar: { unit: 'requests', counted, truth: 100, exact: counted === 100, source: 's' },
    },
  };
}

test('over the rounds: medians, ratios to the same round baseline, sums of counts and runs', () => {
  const baselines = new Map([
    [1, round(1, 1000, 1, 10, 100)],
    [2, round(2, 800, 2, 20, 100)],
    [3, round(3, 1000, 1, 10, 100)],
  ]);
  const rounds = [round(1, 900, 2, 12, 100), round(2, 400, 3, 30, 99), round(3, 500, 1, 15, 100)];
  const summary = summarize({ name: 'sidecar', description: 'd' }, rounds, baselines, SETTINGS);
  assert.equal(summary.rps, 500);
  assert.equal(summary.latency_ms.p99, 2);
  assert.deepEqual(summary.latency_distribution, [
    { percentile: 50, ms: 1 },
    { percentile: 100, ms: 4 },
  ]);
  assert.equal(summary.errors, 3);
  assert.deepEqual(summary.app_cpu_us_per_request, { user: 7.5, system: 7.5, total: 15 });
  const overhead = summary.overhead;
  assert.ok(overhead);
  assert.deepEqual(overhead.capacity, ratioInterval(pairsOf([900, 400, 500], [1000, 800, 1000])));
  assert.equal(overhead.capacity_limit, undefined);
  assert.deepEqual(overhead.p99, {
    ...ratioInterval(pairsOf([2, 3, 1], [1, 2, 1])),
    verdict: 'inconclusive',
  });
  assert.deepEqual(overhead.app, {
    ...ratioInterval(pairsOf([12, 30, 15], [10, 20, 10])),
    verdict: 'cost',
  });
  assert.deepEqual(overhead.total, {
    ...ratioInterval(pairsOf([22, 40, 25], [20, 30, 20])),
    verdict: 'inconclusive',
  });
  assert.deepEqual(overhead.neighbours, {
    ...ratioInterval(pairsOf([5, 5, 5], [5, 5, 5])),
    verdict: 'no-cost-above',
  });
  assert.deepEqual(summary.cost_us_per_request, { app: 15, total: 25, neighbours: 5 });
  assert.deepEqual(summary.processes, [
    { name: 'collector', pid: 13, cpu_s: { user: 2, system: 0 }, peak_rss_bytes: 3000 },
  ]);
  assert.deepEqual(summary.bpf_programs, [
    { name: 'w', type: 'tracepoint', owner: 'o', run_cnt: 30, run_time_ns: 600, ns_per_run: 20 },
  ]);
  assert.deepEqual(summary.accuracy.sidecar, {
    unit: 'requests',
    counted: 299,
    truth: 300,
    exact: false,
    source: 's',
  });
  assert.equal(summary.rounds.length, 3);
});

test('the baseline has no overhead; a scenario with no round has zeros', () => {
  const base = round(1, 1000, 1, 10, 100);
  const baselines = new Map([[1, base]]);
  assert.equal(
    summarize({ name: 'baseline', description: 'd' }, [base], baselines, SETTINGS).overhead,
    undefined,
  );
  const none = summarize({ name: 'bpftrace', description: 'd' }, [], baselines, SETTINGS);
  assert.equal(none.rps, 0);
  assert.deepEqual(none.rounds, []);
});

test('no capacity ratio where the app did not saturate its CPU: what limited it instead', () => {
  const base = round(1, 1000, 1, 10, 100);
  const starved = { ...round(1, 600, 1, 12, 100), app_cpu_fraction: 0.47 };
  const summary = summarize(
    { name: 'bpftrace', description: 'd' },
    [starved],
    new Map([[1, base]]),
    SETTINGS,
  );
  const overhead = summary.overhead;
  assert.ok(overhead);
  assert.equal(overhead.capacity, undefined);
  assert.match(
    overhead.capacity_limit ?? '',
    /0\.47 of a CPU in this scenario's closed run of round 1/,
  );
  assert.equal(overhead.app.verdict, 'inconclusive');
  assert.equal(overhead.app.ci_low, null);
});
