import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { goServiceBinary, loadInfraConfig, ROOT } from '@obscost/infra';
import { checkReportInBrowser } from '@obscost/testing';
import {
  assertInterval,
  checkControls,
  compareOnService,
  processesUnder,
  reportIn,
  scenario,
  expectedProcesses,
  processNames,
} from './comparison-support.js';

const NODE_SERVICE = path.join(ROOT, 'fixtures/node-service/server.mjs');

/** The scenarios that run on a service without a log of its own. */
const SCENARIOS = ['baseline', 'otel-sdk', 'bpftrace', 'ebpf-core', 'ebpf-inkernel'];

/** What counts every response exactly on a service: its write and TCP probes, not a marker. */
const EXACT: Record<string, string[]> = {
  baseline: [],
  // The auto-instrumentations' HTTP server spans, one a request, at this load.
  'otel-sdk': ['otel_sdk'],
  bpftrace: [],
  'ebpf-core': ['ebpf_socket_write', 'ebpf_tcp_send'],
  'ebpf-inkernel': ['ebpf_socket_write', 'ebpf_tcp_send'],
};

/** What does not apply to a service that is not the project's app, and why. */
const SKIPPED: Record<string, RegExp> = {
  sidecar: /request log/,
  'ebpf-breakpoint': /plain marker/,
};

test(
  'npm start --service: a Node service that is not our app, every approach that applies to it, the others skipped with their reason',
  { timeout: 280_000 },
  async (t) => {
    const { dir, out, port, result } = await compareOnService(t, (port, out) => [
      ...['--service', `env PORT=${port} ${process.execPath} ${NODE_SERVICE}`],
      ...['--service-url', `http://127.0.0.1:${port}/ping`, '--service-runtime', 'node'],
      ...['--dur', '1s', '--warmup', '200ms', '--conns', '8', '--out', out],
      ...['--repeat', '1', '--no-controls', '--max-foreign', '0.99'],
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(processesUnder(dir), [], 'Kafka and the Collectors are stopped');
    const report = reportIn(out);

    assert.deepEqual(report.settings.service, {
      command: `env PORT=${port} ${process.execPath} ${NODE_SERVICE}`,
      url: `http://127.0.0.1:${port}/ping`,
    });
    assert.equal(report.settings.path, '/ping');
    for (const [name, why] of Object.entries(SKIPPED)) {
      const s = scenario(report, name);
      assert.equal(s.status, 'skipped', name);
      assert.match(s.reason ?? '', why, name);
    }
    for (const name of SCENARIOS) {
      const s = scenario(report, name);
      assert.equal(s.status, 'ok', `${name}: ${s.reason ?? ''}`);
      assert.deepEqual(processNames(s), expectedProcesses(name), name);
      assert.ok(s.rps > 0 && s.cost_us_per_request.app > 0, name);
      assert.equal(s.accuracy.app, undefined, `${name}: a service has no count of ours`);
      for (const approach of EXACT[name] ?? []) {
        const a = s.accuracy[approach as keyof typeof s.accuracy];
        assert.ok(a?.exact, `${name}/${approach}: ${JSON.stringify(a)}`);
        assert.ok(a.truth > 0);
      }
      assert.equal(s.accuracy.ebpf_uprobe, undefined, `${name}: no uprobe without a marker`);
    }
  },
);

test(
  'npm start --service: a service that exits before it listens fails its scenario, with its output',
  { timeout: 120_000 },
  async (t) => {
    const { out, result } = await compareOnService(t, (port, out) => [
      ...['--service', `sh -c 'echo no such config >&2; exit 3'`],
      ...['--service-url', `http://127.0.0.1:${port}/ping`, '--scenarios', 'ebpf-inkernel'],
      ...['--dur', '1s', '--warmup', '0s', '--repeat', '1', '--no-controls', '--out', out],
    ]);
    assert.equal(result.code, 1, result.stderr);
    const baseline = scenario(reportIn(out), 'baseline');
    assert.equal(baseline.status, 'failed');
    assert.match(
      baseline.reason ?? '',
      /exited before it accepted connections on http:\/\/127\.0\.0\.1:\d+: no such config/,
    );
  },
);

test(
  'npm start --service, two rounds: costs with intervals, as cores at a production rate, the A/A control on the service, no calibration and why, the page',
  { timeout: 280_000 },
  async (t) => {
    const { dir, out, result } = await compareOnService(t, (port, out) => [
      ...['--service', `env PORT=${port} ${process.execPath} ${NODE_SERVICE}`],
      ...['--service-url', `http://127.0.0.1:${port}/ping`, '--scenarios', 'ebpf-inkernel'],
      ...['--repeat', '2', '--dur', '1s', '--warmup', '300ms', '--conns', '8', '--out', out],
      ...['--production-rate', '100000'],
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = reportIn(out);
    assert.deepEqual(
      report.scenarios.map((s) => s.name),
      ['baseline', 'ebpf-inkernel'],
    );
    const overhead = scenario(report, 'ebpf-inkernel').overhead;
    for (const key of ['app', 'total', 'neighbours'] as const) {
      assertInterval(overhead?.[key], 2, `ebpf-inkernel ${key}`);
    }
    checkControls(report, 2);
    // At 100,000 req/s: the observer beside the service is on its host; it has no pipeline.
    assert.equal(report.settings.production_rate, 100_000);
    const atRate = scenario(report, 'ebpf-inkernel').at_production_rate;
    // Cores added may come out below 0 on a noisy run: the interval's order is what holds.
    const host = atRate?.host_cores;
    assert.ok(host && host.rounds === 2 && Number.isFinite(host.estimate), JSON.stringify(host));
    assert.ok(host.ci_low !== null && host.ci_high !== null);
    assert.ok(host.ci_low <= host.estimate && host.estimate <= host.ci_high);
    assert.equal(atRate.pipeline_cores, undefined);
    assert.match(result.stdout, /^At 100,000 req\/s: /m);
    assert.match(result.stdout, /calibration\s+not run: the known cost is burnt inside/);
    await checkReportInBrowser(
      t,
      path.join(out, 'report.html'),
      report,
      process.env.REPORT_SCREENSHOT ?? path.join(dir, 'report.png'),
    );
  },
);

test(
  "npm start --service: the seed's Go service, its marker's uprobe and its write and TCP probes exact",
  { timeout: 280_000 },
  async (t) => {
    const binary = goServiceBinary(loadInfraConfig());
    const { out, result } = await compareOnService(t, (port, out) => [
      ...['--service', `env PORT=${port} ${binary}`],
      ...['--scenarios', 'otel-sdk,bpftrace,ebpf-inkernel'],
      ...['--service-url', `http://127.0.0.1:${port}/ping`, '--out', out],
      ...['--service-runtime', 'go', '--service-marker', `${binary}:main.AppWrite`],
      ...['--dur', '1s', '--warmup', '200ms', '--conns', '8'],
      ...['--repeat', '1', '--no-controls', '--max-foreign', '0.99'],
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = reportIn(out);
    for (const name of ['baseline', 'bpftrace', 'ebpf-inkernel']) {
      const s = scenario(report, name);
      assert.equal(s.status, 'ok', `${name}: ${s.reason ?? ''}`);
      assert.deepEqual(processNames(s), expectedProcesses(name), name);
    }
    // One write a response, counted by the seed's script with every other write of the
    // process (the runtime's wake-ups); its print-then-clear loses a few: close, not exact.
    const traced = scenario(report, 'bpftrace').accuracy.bpftrace;
    assert.ok(traced && Math.abs(traced.counted - traced.truth) < 0.05 * traced.truth);
    const otel = scenario(report, 'otel-sdk');
    assert.equal(otel.status, 'skipped');
    assert.match(otel.reason ?? '', /no zero-code OpenTelemetry for Go/);
    // Go's net/http answers each request with one write and one TCP send; the handler calls
    // the marker once a response. Its argument is the body's size ("pong\n"), not bytes on
    // the wire: the uprobe's calls are compared, its bytes shown and marked not comparable.
    const inkernel = scenario(report, 'ebpf-inkernel');
    for (const approach of ['ebpf_uprobe', 'ebpf_socket_write', 'ebpf_tcp_send'] as const) {
      const a = inkernel.accuracy[approach];
      assert.ok(a?.exact && a.truth > 0, `${approach}: ${JSON.stringify(a)}`);
    }
    const uprobe = inkernel.accuracy.ebpf_uprobe;
    assert.equal(uprobe?.unit, 'requests');
    assert.equal(uprobe.bytes?.counted, 5 * uprobe.counted, JSON.stringify(uprobe));
    assert.deepEqual(Object.keys(uprobe.not_comparable ?? {}), ['bytes']);
    assert.equal(inkernel.accuracy.ebpf_socket_write?.not_comparable, undefined);
  },
);
