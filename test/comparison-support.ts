import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { readReport, type Interval, type Report, type ScenarioReport } from '@obscost/report';
import { stopPid } from '@obscost/process';
import { freePorts, run, RUNNER_MAIN } from './support.js';

/** What test/comparison.test.ts needs around the runner: its directory, its report. */

/** The processes each scenario starts, the app (or the service) among them. */
export const SCENARIO_PROCESSES: Readonly<Record<string, readonly string[]>> = {
  baseline: ['app'],
  sidecar: ['app', 'collector'],
  'otel-sdk': ['app', 'collector'],
  bpftrace: ['app', 'bpftrace'],
  'ebpf-core': ['app', 'observer', 'aggregator', 'kafka'],
  'ebpf-breakpoint': ['app', 'observer', 'aggregator', 'kafka'],
  'ebpf-inkernel': ['app', 'observer'],
};

/** Each scenario's processes, in the report's order (sorted), for a deepEqual. */
export function processNames(s: ScenarioReport): string[] {
  return s.processes.map((p) => p.name).sort();
}

/** The processes `name` starts, sorted as processNames gives them. */
export function expectedProcesses(name: string): string[] {
  return [...(SCENARIO_PROCESSES[name] ?? [])].sort();
}

/**
 * A directory of the test's own, the comparison's TMPDIR: its work directory (Kafka, the
 * Collector) lands inside, so the test finds and stops whatever a failed run left behind.
 */
export function ownDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-comparison-test-'));
  t.after(async () => {
    for (const pid of processesUnder(dir)) await stopPid(pid, 5_000, true);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * `npm start` in a directory of its own, on a free port for the service: `args` are given the
 * port and where the report goes.
 */
export async function compareOnService(
  t: TestContext,
  args: (port: number, out: string) => string[],
): Promise<{ dir: string; out: string; port: number; result: Awaited<ReturnType<typeof run>> }> {
  const dir = ownDir(t);
  const out = path.join(dir, 'out');
  const [port = 0] = await freePorts(1);
  const result = await run(process.execPath, [RUNNER_MAIN, ...args(port, out)], { TMPDIR: dir });
  return { dir, out, port, result };
}

/** The processes infra started with their logs under `dir` (OBSCOST_LOG in their environment). */
export function processesUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`OBSCOST_LOG=${dir}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** How many bytes the sidecar scenario's request logs hold: its app is under load. */
export function logged(dir: string): number {
  const [work] = readdirSync(dir).filter((d) => d.startsWith('obscost-comparison-'));
  if (work === undefined) return 0;
  const workDir = path.join(dir, work);
  try {
    return readdirSync(workDir)
      .filter((file) => /^requests-\d+\.log$/.test(file))
      .reduce((sum, file) => sum + statSync(path.join(workDir, file)).size, 0);
  } catch {
    return 0;
  }
}

/** The report in `dir`, checked against report.schema.json. */
export function reportIn(dir: string): Report {
  return readReport(path.join(dir, 'report.json'));
}

export function scenario(report: Report, name: string): ScenarioReport {
  const found = report.scenarios.find((s) => s.name === name);
  assert.ok(found, `no scenario ${name} in the report`);
  return found;
}

/** An interval from `rounds` rounds: its ends around the estimate, or none from one round. */
export function assertInterval(interval: Interval | undefined, rounds: number, what: string): void {
  assert.ok(interval, `${what}: no interval`);
  assert.equal(interval.rounds, rounds, what);
  assert.equal(interval.confidence, 0.95, what);
  const { estimate, ci_low: low, ci_high: high } = interval;
  assert.ok(estimate > 0 && Number.isFinite(estimate), `${what}: ${JSON.stringify(interval)}`);
  if (rounds === 1) {
    assert.ok(low === null && high === null, what);
    return;
  }
  assert.ok(low !== null && high !== null && low <= estimate && estimate <= high, what);
}

/** Whether an interval contains 1: a control's verdict, as report.json must give it. */
export function containsOne(interval: Interval): boolean {
  return (
    interval.ci_low !== null &&
    interval.ci_high !== null &&
    interval.ci_low <= 1 &&
    1 <= interval.ci_high
  );
}

/**
 * The A/A control and the calibration of a run of `rounds` rounds: their intervals, their
 * verdicts as the intervals say, and the report unreliable exactly when one does not hold. On
 * a named service, no calibration, and why.
 */
export function checkControls(report: Report, rounds: number): void {
  const controls = report.controls;
  assert.ok(controls, 'the default run checks itself');
  for (const key of ['app', 'total', 'neighbours'] as const) {
    assertInterval(controls.aa[key], rounds, `A/A ${key}`);
  }
  assert.equal(
    controls.aa.holds,
    ['app', 'total', 'neighbours'].every((k) => containsOne(controls.aa[k as 'app'])),
  );
  assert.equal(controls.aa.rounds.length, rounds);
  const { calibration } = controls;
  if (report.settings.service !== undefined) {
    assert.equal(calibration, undefined, 'a named service burns no known cost');
    assert.match(controls.calibration_skipped ?? '', /APP_BURN_US/);
    assert.equal(report.unreliable !== undefined, !controls.aa.holds);
    return;
  }
  assert.ok(calibration, 'the project app is calibrated');
  assert.ok(Number.isInteger(calibration.burn_us) && calibration.burn_us >= 1);
  assertInterval(calibration.ratio, rounds, 'calibration');
  assert.equal(calibration.holds, containsOne(calibration.ratio));
  assert.equal(calibration.rounds.length, rounds);
  assert.equal(report.unreliable !== undefined, !(controls.aa.holds && calibration.holds));
}

/** The programs each eBPF scenario of a default run loaded, by their owner, with the kernel's statistics. */
export function checkBpfPrograms(report: Report): void {
  const programs = (name: string) =>
    scenario(report, name)
      .bpf_programs.map((p) => `${p.owner}/${p.name}`)
      .sort();
  for (const name of ['ebpf-core', 'ebpf-breakpoint', 'ebpf-inkernel']) {
    assert.deepEqual(programs(name), [
      'observer/app_write_uprobe',
      'observer/tcp_send_tracepoint',
      'observer/write_exit',
      'observer/writev_exit',
    ]);
  }
  assert.equal(
    programs('bpftrace').length,
    5,
    `writes, fork and exit, interval: ${programs('bpftrace').join()}`,
  );
  assert.deepEqual(programs('sidecar'), []);
  const uprobe = scenario(report, 'ebpf-core').bpf_programs.find(
    (p) => p.name === 'app_write_uprobe',
  );
  assert.ok(uprobe && uprobe.run_cnt > 0 && uprobe.ns_per_run > 0);
}

/**
 * A service run's report: the service named as given, and each scenario of `processes` ok,
 * with those processes beside the service, and a cost a request.
 */
export function checkServiceRun(
  report: Report,
  service: { command: string; port: number },
  scenarios: readonly string[],
): void {
  assert.deepEqual(report.settings.service, {
    command: service.command,
    url: `http://127.0.0.1:${service.port}/ping`,
  });
  for (const name of scenarios) {
    const s = scenario(report, name);
    assert.equal(s.status, 'ok', `${name}: ${s.reason ?? ''}`);
    assert.deepEqual(processNames(s), expectedProcesses(name), name);
    assert.ok(s.rps > 0 && s.cost_us_per_request.app > 0, name);
  }
}
