/**
 * Does the open model keep its schedule? At each rate, our bench (-rate R) and vegeta, an
 * independent constant-rate generator, take turns against the same fresh app pinned to the
 * last CPU, each generator on the other CPU(s), same connections and duration; prints per
 * rate the p50 and p99 of each (median over runs, min-max), our own schedule lag, our CPU a
 * request, and whether our p50 and p99 are within 10% or 50 µs of vegeta's. vegeta measures
 * from its send, ours from the due time: its own lag, read from its results, gives its
 * latency from the due time too, the like-for-like figure.
 *
 *   npm run bench:open -- [--rates 1000,4000,10000,20000] [--dur 5s] [--runs 3] [--conns 50]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { median, pin, planCpus } from '@obscost/measure';
import { positiveNumberRule, setting } from '@obscost/flags';
import { runToEnd } from '@obscost/process';
import { benchJson, loadInfraConfig, startApp } from '@obscost/infra';
import { benchmarkFlags, flag } from './settings.js';
import { vegetaSchedule } from './vegeta-schedule.js';

/** The version infra/setup.sh installs into the cache (install_vegeta). */
const VEGETA_VERSION = '12.13.0';
/** Within this fraction of vegeta's figure, or within ABSOLUTE_TOLERANCE_MS of it. */
const RELATIVE_TOLERANCE = 0.1;
const ABSOLUTE_TOLERANCE_MS = 0.05;

const { rates, dur, runs, conns } = benchmarkFlags(
  'bench:open',
  'Our open model against vegeta at the same rates on the same pinned app.',
  {
    rates: setting.custom({
      flag: 'rates',
      placeholder: 'LIST',
      default: '1000,4000,10000,20000',
      help: 'the rates to compare, requests/s, comma-separated',
      parse: (text, name) => text.split(',').map((part) => positiveNumberRule(name, part.trim())),
    }),
    dur: flag.dur('5s'),
    runs: flag.runs(3),
    conns: flag.conns(50),
  },
);
const seconds = dur / 1000;

/** One run's figures, in ms. */
interface RunFigures {
  p50: number;
  p99: number;
  /** The generator's schedule lag (send - due). */
  lag: { p50: number; p99: number; max?: number };
  /** vegeta only: its latency from the due time (lag + latency), as ours is measured. */
  fromDue?: { p50: number; p99: number };
  /** Ours only: the latency from each request's write, as vegeta's is measured. */
  fromSend?: { p50: number; p99: number };
  /** Ours only: CPU a request in µs. */
  cpuUsPerRequest?: number;
}

async function outputOf(command: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runToEnd(command, args);
  if (code !== 0) throw new Error(`${command} exited with code ${code}: ${stderr.trim()}`);
  return stdout;
}

async function runBench(url: string, rate: number): Promise<RunFigures> {
  const result = await benchJson([
    ...['-url', url, '-rate', String(rate)],
    ...['-dur', `${seconds}s`, '-conns', String(conns)],
  ]);
  if (result.errors > 0) throw new Error(`bench: ${result.errors} errors at ${rate} req/s`);
  const lag = result.schedule_lag_ms;
  const fromSend = result.latency_from_send_ms;
  if (lag === undefined || fromSend === undefined) {
    throw new Error('bench: no schedule_lag_ms or latency_from_send_ms in an open-model run');
  }
  return {
    p50: result.latency_ms.p50,
    p99: result.latency_ms.p99,
    lag: { p50: lag.p50, p99: lag.p99, max: lag.max },
    fromSend: { p50: fromSend.p50, p99: fromSend.p99 },
    cpuUsPerRequest: ((result.cpu_s.user + result.cpu_s.system) * 1e6) / result.requests,
  };
}

/** vegeta's JSON report, the part read here: latencies in ns. */
interface VegetaReport {
  requests: number;
  success: number;
  latencies: Record<'50th' | '99th', number>;
}

/** vegeta held to our connection count: as many workers as connections, no more. */
const vegetaConnectionArgs = [
  `-workers=${conns}`,
  `-max-workers=${conns}`,
  `-connections=${conns}`,
  `-max-connections=${conns}`,
  '-keepalive=true',
];

async function runVegeta(vegeta: string, dir: string, rate: number): Promise<RunFigures> {
  const results = path.join(dir, 'results.bin');
  await outputOf(vegeta, [
    'attack',
    `-targets=${path.join(dir, 'targets.txt')}`,
    `-rate=${rate}/s`,
    `-duration=${seconds}s`,
    ...vegetaConnectionArgs,
    `-output=${results}`,
  ]);
  const report = JSON.parse(
    await outputOf(vegeta, ['report', '-type=json', results]),
  ) as VegetaReport;
  if (report.success < 1) throw new Error(`vegeta: success ratio ${report.success} at ${rate}/s`);
  const { lag, fromDue } = vegetaSchedule(
    await outputOf(vegeta, ['encode', '--to', 'csv', results]),
    rate,
  );
  return { p50: report.latencies['50th'] / 1e6, p99: report.latencies['99th'] / 1e6, lag, fromDue };
}

function spread(values: number[], digits = 3): string {
  const m = median(values);
  return `${m.toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

function within(ours: number, theirs: number): string {
  const delta = ours - theirs;
  const ok = Math.abs(delta) <= Math.max(RELATIVE_TOLERANCE * theirs, ABSOLUTE_TOLERANCE_MS);
  return `${ok ? 'yes' : 'no'} (${delta >= 0 ? '+' : ''}${delta.toFixed(3)} ms)`;
}

function formatRate(rate: number, ours: RunFigures[], theirs: RunFigures[]): string {
  const pick = (runs: RunFigures[], key: 'p50' | 'p99'): number[] => runs.map((r) => r[key]);
  const lags = ours.map((r) => r.lag);
  const theirLags = theirs.map((r) => r.lag);
  const fromDue = theirs.map((r) => r.fromDue ?? { p50: NaN, p99: NaN });
  const fromSend = ours.map((r) => r.fromSend ?? { p50: NaN, p99: NaN });
  const oursP50 = median(pick(ours, 'p50'));
  const oursP99 = median(pick(ours, 'p99'));
  return [
    `${rate} req/s`,
    `  bench   p50 ${spread(pick(ours, 'p50'))} ms   p99 ${spread(pick(ours, 'p99'))} ms`,
    `  bench from send   p50 ${spread(fromSend.map((l) => l.p50))} ms   p99 ${spread(fromSend.map((l) => l.p99))} ms` +
      ' (its latency less its lag: measured as vegeta is)',
    `  vegeta  p50 ${spread(pick(theirs, 'p50'))} ms   p99 ${spread(pick(theirs, 'p99'))} ms`,
    `  our schedule lag  p50 ${spread(lags.map((l) => l.p50))} ms   p99 ${spread(lags.map((l) => l.p99))} ms` +
      `   max ${spread(lags.map((l) => l.max ?? NaN))} ms`,
    `  vegeta's own lag  p50 ${spread(theirLags.map((l) => l.p50))} ms   p99 ${spread(theirLags.map((l) => l.p99))} ms`,
    `  vegeta from due   p50 ${spread(fromDue.map((l) => l.p50))} ms   p99 ${spread(fromDue.map((l) => l.p99))} ms` +
      ' (its lag + its latency: measured as ours is)',
    `  our CPU a request ${spread(
      ours.map((r) => r.cpuUsPerRequest ?? NaN),
      1,
    )} µs (its cpu_s over the run, the send thread included)`,
    `  within 10% or 50 µs of vegeta: p50 ${within(oursP50, median(pick(theirs, 'p50')))}` +
      `, p99 ${within(oursP99, median(pick(theirs, 'p99')))}`,
    `  ... of vegeta from due:        p50 ${within(oursP50, median(fromDue.map((l) => l.p50)))}` +
      `, p99 ${within(oursP99, median(fromDue.map((l) => l.p99)))}`,
    `  ours from send, of vegeta's:   p50 ${within(median(fromSend.map((l) => l.p50)), median(pick(theirs, 'p50')))}` +
      `, p99 ${within(median(fromSend.map((l) => l.p99)), median(pick(theirs, 'p99')))}`,
  ].join('\n');
}

const vegeta = path.join(loadInfraConfig().cacheDir, `vegeta-${VEGETA_VERSION}`, 'vegeta');
const plan = planCpus(availableParallelism());
await pin(process.pid, plan.other);
const app = await startApp({ APP_MARKER: 'off' });
const dir = mkdtempSync(path.join(tmpdir(), 'bench-open-'));
const tty = process.stderr.isTTY;
const sections: string[] = [];
try {
  if (app.pid !== undefined) await pin(app.pid, plan.app);
  const url = `${app.url}/ping`;
  writeFileSync(path.join(dir, 'targets.txt'), `GET ${url}\n`);
  for (const rate of rates) {
    const ours: RunFigures[] = [];
    const theirs: RunFigures[] = [];
    for (let i = 1; i <= runs; i++) {
      if (tty) process.stderr.write(`\r\x1b[2K  ${rate} req/s, run ${i}/${runs}: bench`);
      ours.push(await runBench(url, rate));
      if (tty) process.stderr.write(`\r\x1b[2K  ${rate} req/s, run ${i}/${runs}: vegeta`);
      theirs.push(await runVegeta(vegeta, dir, rate));
    }
    sections.push(formatRate(rate, ours, theirs));
  }
} finally {
  if (tty) process.stderr.write('\r\x1b[2K');
  rmSync(dir, { recursive: true, force: true });
  await app.stop();
}

const placement =
  plan.app.length === 0
    ? 'nothing pinned (one CPU)'
    : `app on CPU ${plan.app.join(',')}, generators on CPU ${plan.other.join(',')}`;
process.stdout.write(
  `/ping on a fresh app, ${placement}; ${seconds}s a run, ${runs} runs each, alternating; ` +
    `median (min-max) over runs\n` +
    `${conns} connections each: bench -conns ${conns}; vegeta ${vegetaConnectionArgs.join(' ')}\n` +
    `${sections.join('\n')}\n`,
);
