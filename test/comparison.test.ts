import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { checkReportInBrowser } from '@obscost/testing';
import {
  assertInterval,
  checkBpfPrograms,
  checkControls,
  logged,
  ownDir,
  processesUnder,
  reportIn,
  scenario,
  SCENARIO_PROCESSES,
  expectedProcesses,
  processNames,
} from './comparison-support.js';
import { run, RUNNER_MAIN, startChild, waitFor } from './support.js';

/** The approaches each scenario reports, and which of them count every response exactly. */
const EXACT: Record<string, string[]> = {
  baseline: ['app'],
  sidecar: ['sidecar', 'app'],
  'otel-sdk': ['otel_sdk', 'app'],
  bpftrace: ['app'],
  'ebpf-core': ['ebpf_uprobe', 'ebpf_socket_write', 'ebpf_tcp_send', 'app'],
  'ebpf-breakpoint': ['ebpf_uprobe', 'ebpf_socket_write', 'ebpf_tcp_send', 'app'],
  'ebpf-inkernel': ['ebpf_uprobe', 'ebpf_socket_write', 'ebpf_tcp_send', 'app'],
};

/** One round without controls, no run set aside: what is checked is each count, not figures. */
const COUNTS_ONLY = ['--repeat', '1', '--no-controls', '--max-foreign', '0.99'];

test(
  'npm start: every scenario, a short run each; every approach exact where it is by construction',
  { timeout: 280_000 },
  async (t) => {
    const dir = ownDir(t);
    const out = path.join(dir, 'out');
    const result = await run(
      process.execPath,
      [
        RUNNER_MAIN,
        ...['--dur', '1s', '--warmup', '200ms', '--conns', '8', '--bpf-stats', 'on'],
        ...[...COUNTS_ONLY, '--out', out],
      ],
      { TMPDIR: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^obscost: report in \S+report\.json and \S+report\.html$/m);
    assert.deepEqual(processesUnder(dir), [], 'Kafka and the Collectors are stopped');
    const report = reportIn(out);

    assert.deepEqual(report.machine.app_cpus, [1]);
    assert.deepEqual(report.machine.other_cpus, [0]);
    assert.equal(report.settings.rate_source, '0.25 of the baseline capacity in round 1');
    assert.equal(report.settings.bpf_stats, true);
    for (const name of Object.keys(SCENARIO_PROCESSES)) {
      const s = scenario(report, name);
      assert.equal(s.status, 'ok', `${name}: ${s.reason ?? ''}`);
      assert.equal(s.rounds.length, 1);
      assert.deepEqual(processNames(s), expectedProcesses(name), name);
      assert.ok(s.rps > 0 && s.latency_ms.p50 > 0 && s.latency_ms.p50 <= s.latency_ms.p99);
      assert.equal(s.latency_distribution.length, 16);
      const cost = s.cost_us_per_request;
      assert.ok(cost.app > 0 && cost.app === s.app_cpu_us_per_request.total);
      assert.ok(cost.total >= cost.app && cost.neighbours > 0, `${name}: ${JSON.stringify(cost)}`);
      assert.equal(s.overhead === undefined, name === 'baseline');
      assert.deepEqual(
        Object.keys(s.accuracy).sort(),
        [...new Set([...(EXACT[name] ?? []), ...(name === 'bpftrace' ? ['bpftrace'] : [])])].sort(),
      );
      for (const approach of EXACT[name] ?? []) {
        const a = s.accuracy[approach as keyof typeof s.accuracy];
        assert.ok(a?.exact && !a.not_comparable, `${name}/${approach}: ${JSON.stringify(a)}`);
        assert.ok(a.truth > 0);
        if (a.bytes) assert.ok(a.bytes.exact, `${name}/${approach} bytes: ${JSON.stringify(a)}`);
        if (a.observer) assert.ok(a.observer.exact, `${name}/${approach} observer`);
      }
    }
    // bpftrace counts every write() and writev() of the app (responses, and the runtime's
    // few other writes), and its interval print, then clear, loses what lands in between:
    // close to the truth, not exact. It sums write() bytes only, and Node answers with writev().
    const traced = scenario(report, 'bpftrace').accuracy.bpftrace;
    assert.ok(traced && Math.abs(traced.counted - traced.truth) < 0.05 * traced.truth);
    assert.ok((traced.bytes?.counted ?? 0) < traced.truth);

    checkBpfPrograms(report);

    // What a person sees: the terminal table names every scenario; the page, in a browser,
    // draws every chart and shows the report's figures.
    for (const name of Object.keys(SCENARIO_PROCESSES))
      assert.match(result.stdout, new RegExp(name));
    await checkReportInBrowser(
      t,
      path.join(out, 'report.html'),
      report,
      process.env.REPORT_SCREENSHOT ?? path.join(dir, 'report.png'),
    );
  },
);

test(
  'two rounds: every cost with its interval and verdict, the A/A control and the calibration, the schema, the page',
  // Eight runs; on a busy machine each may be set aside and run again twice.
  { timeout: 420_000 },
  async (t) => {
    const dir = ownDir(t);
    const out = path.join(dir, 'out');
    const result = await run(
      process.execPath,
      [
        ...[RUNNER_MAIN, '--scenarios', 'sidecar', '--repeat', '2', '--dur', '1s'],
        ...['--warmup', '300ms', '--conns', '8', '--out', out],
      ],
      { TMPDIR: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = reportIn(out);
    assert.equal(report.version, 2);
    assert.equal(report.settings.repeat, 2);
    assert.equal(report.settings.fixed_rounds, true);
    assert.ok(['cgroup1-cpuacct', 'cgroup2', 'schedstat'].includes(report.settings.cpu_meter));
    const sidecar = scenario(report, 'sidecar');
    assert.equal(sidecar.rounds.length, 2);
    const overhead = sidecar.overhead;
    assert.ok(overhead);
    for (const key of ['app', 'total', 'neighbours', 'p99'] as const) {
      assertInterval(overhead[key], 2, `sidecar ${key}`);
      assert.ok(['cost', 'no-cost-above', 'inconclusive'].includes(overhead[key].verdict));
    }
    // Exactly one of them: the capacity ratio, or what limited the capacity instead.
    assert.equal(overhead.capacity === undefined, overhead.capacity_limit !== undefined);
    for (const round of [...sidecar.rounds, ...scenario(report, 'baseline').rounds]) {
      const { closed, open } = round.foreign;
      assert.ok([closed, open].every((f) => f.app_cpus >= 0 && f.other_cpus >= 0));
    }
    // The sidecar's Collector is counted in its total; the baseline adds nothing.
    assert.ok(sidecar.rounds.every((r) => r.cost_us_per_request.total > r.cost_us_per_request.app));

    checkControls(report, 2);
    const headline = ['sidecar app', 'sidecar total', 'sidecar neighbours'];
    assert.ok(
      report.not_precise.every((name) => headline.includes(name)),
      report.not_precise.join(),
    );
    assert.ok(Array.isArray(report.set_aside));

    assert.match(result.stdout, /^Cost a request: /m);
    assert.match(result.stdout, /^this run's resolution /m);
    await checkReportInBrowser(
      t,
      path.join(out, 'report.html'),
      report,
      process.env.REPORT_SCREENSHOT ?? path.join(dir, 'report.png'),
    );
  },
);

test(
  'without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN the eBPF scenarios are skipped with their reason, and the rest run',
  { timeout: 120_000 },
  async (t) => {
    const dir = ownDir(t);
    const out = path.join(dir, 'out');
    // Root without the capabilities: what a user without them meets.
    const result = await run(
      'setpriv',
      [
        ...['--bounding-set', '-bpf,-perfmon,-sys_admin', process.execPath, RUNNER_MAIN],
        ...['--scenarios', 'bpftrace,ebpf-core', '--dur', '300ms', '--warmup', '0s'],
        ...[...COUNTS_ONLY, '--out', out],
      ],
      { TMPDIR: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    for (const name of ['bpftrace', 'ebpf-core']) {
      assert.match(
        result.stderr,
        new RegExp(
          `^obscost: ${name} skipped: loading BPF programs needs CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN: run as root$`,
          'm',
        ),
      );
    }
    const report = reportIn(out);
    assert.deepEqual(
      report.scenarios.map((s) => [s.name, s.status, s.reason]),
      [
        ['baseline', 'ok', undefined],
        [
          'bpftrace',
          'skipped',
          'loading BPF programs needs CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN: run as root',
        ],
        [
          'ebpf-core',
          'skipped',
          'loading BPF programs needs CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN: run as root',
        ],
      ],
    );
  },
);

test(
  'a scenario that fails is reported with its reason, the others still run, and the exit code is 1',
  { timeout: 120_000 },
  async (t) => {
    const dir = ownDir(t);
    const out = path.join(dir, 'out');
    // A heap no machine here has: the JVM refuses to start, so Kafka, and ebpf-core, fail.
    const result = await run(
      process.execPath,
      [
        ...[RUNNER_MAIN, '--scenarios', 'ebpf-core', '--dur', '300ms', '--warmup', '0s'],
        ...[...COUNTS_ONLY, '--out', out],
      ],
      { TMPDIR: dir, KAFKA_HEAP: '100000g' },
    );
    assert.equal(result.code, 1, result.stderr);
    const reason = /^round 1: kafka: .*Could not reserve enough space/;
    assert.match(result.stderr, /^obscost: ebpf-core failed: round 1: kafka: /m);
    const report = reportIn(out);
    assert.deepEqual(
      report.scenarios.map((s) => [s.name, s.status]),
      [
        ['baseline', 'ok'],
        ['ebpf-core', 'failed'],
      ],
    );
    assert.match(scenario(report, 'ebpf-core').reason ?? '', reason);
    assert.ok(scenario(report, 'baseline').rps > 0);
    assert.deepEqual(processesUnder(dir), []);
  },
);

test(
  'Ctrl-C stops every process the comparison started and writes what was measured',
  { timeout: 120_000 },
  async (t) => {
    const dir = ownDir(t);
    const out = path.join(dir, 'out');
    const runner = startChild(
      process.execPath,
      [
        ...[RUNNER_MAIN, '--scenarios', 'sidecar', '--dur', '20s', '--warmup', '0s'],
        // Figures are not what this test is for: a busy machine must not set runs aside.
        ...['--no-controls', '--max-foreign', '0.99', '--out', out],
      ],
      { env: { TMPDIR: dir } },
    );
    t.after(() => runner.stop(5_000));
    await runner.waitForOutput(/collector: up in/, 'the sidecar scenario to start', 90_000);
    await waitFor('the bench to drive the app', () => logged(dir) > 0, 30_000);
    runner.signal('SIGINT');
    assert.equal(await runner.exited, 130, runner.output());
    assert.match(runner.stderr(), /^obscost: SIGINT: stopping, and writing what was measured$/m);
    assert.deepEqual(processesUnder(dir), [], 'the Collector is stopped');
    const report = reportIn(out);
    assert.equal(report.interrupted, 'SIGINT');
    assert.deepEqual(
      report.scenarios.map((s) => [s.name, s.status, s.reason]),
      [
        ['baseline', 'ok', undefined],
        ['sidecar', 'skipped', 'interrupted (SIGINT)'],
      ],
    );
    assert.ok(scenario(report, 'baseline').rps > 0);
  },
);
