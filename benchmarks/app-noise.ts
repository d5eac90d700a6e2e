/**
 * Where a fresh app's CPU a request varies: fresh apps one after another, each pinned to the
 * app's CPU, the variants taking turns; each gets a closed-model warm-up, then an open-model
 * run at one fixed rate sampled in windows (the app's CPU, the foreign load on its CPU). Per
 * variant it prints each app's CPU a request over its run, the apps' spread, the windows'
 * spread within an app and what that predicts for a whole run: whether fresh apps differ more
 * than time does. `awake` holds /dev/cpu_dma_latency at 0 while its app runs, so the CPUs
 * poll instead of halting (a halted virtual CPU wakes slowly, on the app's CPU time).
 *
 *   npm run bench:noise -- [--apps 6] [--variants plain,awake] [--warmup 4s] [--dur 10s]
 *                          [--window 1s] [--rate R] [--conns 50] [--json]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  cpuBusySnapshot,
  foreignLoad,
  openComponentCpuMeter,
  pin,
  planCpus,
  type ComponentCpuMeter,
} from '@obscost/measure';
import { choiceListRule, durationRule, formatDuration, setting } from '@obscost/flags';
import { benchJson, startApp, type RunningApp } from '@obscost/infra';
import {
  summarize,
  windowsOf,
  type AppRun,
  type NoiseMark,
  type VariantSummary,
} from './app-noise-stats.js';
import { printNoise } from './app-noise-text.js';
import { benchmarkFlags, flag } from './settings.js';

const VARIANTS = ['plain', 'awake'] as const;
type Variant = (typeof VARIANTS)[number];
/** The open-model rate, unless --rate: this fraction of the first app's warm-up capacity. */
const RATE_FRACTION = 0.25;
const CPU_DMA_LATENCY = '/dev/cpu_dma_latency';

const duration = (name: string, fallback: string, help: string) =>
  setting.custom({
    flag: name,
    placeholder: 'D',
    default: fallback,
    help,
    parse: (text, shown) => durationRule(shown, text),
  });

const values = benchmarkFlags('bench:noise', "Where a fresh app's CPU a request varies.", {
  apps: setting.integer({
    flag: 'apps',
    placeholder: 'N',
    default: '6',
    min: 1,
    max: 1000,
    help: 'fresh apps, one after another, taking the variants in turn',
  }),
  variants: setting.custom({
    flag: 'variants',
    placeholder: 'LIST',
    default: VARIANTS.join(','),
    help: `comma-separated: plain; awake (${CPU_DMA_LATENCY} held at 0 while the app runs)`,
    parse: (text, name) => choiceListRule(name, text, VARIANTS, 'variant'),
  }),
  warmup: duration('warmup', '4s', 'closed-model load on each fresh app before its open run'),
  dur: duration('dur', '10s', "each app's open run, at the fixed rate"),
  window: duration('window', '1s', 'the open run is sampled every D'),
  rate: setting.positiveNumber({
    flag: 'rate',
    placeholder: 'R',
    help: `the open run's req/s (default: ${RATE_FRACTION} of the first app's warm-up capacity)`,
  }),
  conns: flag.conns(50),
  json: setting.switch({ flag: 'json', help: 'print the results as JSON' }),
});

/**
 * Keeps every CPU from idling deeper than polling: a PM QoS request for a wake-up latency of
 * 0 µs, which lasts as long as the file is open. The kernel drops it when the file closes,
 * by the returned function or by this process's exit, however it ends.
 */
function holdCpusAwake(): () => void {
  const fd = openSync(CPU_DMA_LATENCY, 'w');
  try {
    // The request is a 32-bit integer, in µs.
    writeSync(fd, Buffer.alloc(4));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return () => {
    closeSync(fd);
  };
}

const cpus = planCpus(availableParallelism());
if (cpus.app.length === 0) {
  throw new Error("bench:noise needs two CPUs: the app's, and the bench's");
}
if (values.variants.includes('awake')) {
  try {
    holdCpusAwake()();
  } catch (err) {
    throw new Error(
      `the awake variant needs ${CPU_DMA_LATENCY}, which did not open (${(err as Error).message}): ` +
        'run as root, or --variants plain',
      { cause: err },
    );
  }
}
await pin(process.pid, cpus.other);

const tty = process.stderr.isTTY && !values.json;
const status = (line: string): void => {
  if (tty) process.stderr.write(`\r\x1b[2K  ${line}`);
};
const runWindows = values.dur / values.window;
let rate = values.rate;
let rateSource = rate === undefined ? '' : '--rate';
/** Where the app's CPU was counted: the first source this machine allows. */
let meterSource = '';

/** Time a bench process gets beyond its run to start and to print its result. */
const BENCH_GRACE_MS = 60_000;

/** The bench for `durationMs` in a process of its own, pinned with this one to the other CPUs. */
async function bench(url: string, durationMs: number, args: string[]) {
  const result = await benchJson(
    ['-url', url, '-conns', String(values.conns), '-dur', formatDuration(durationMs), ...args],
    { timeoutMs: durationMs + BENCH_GRACE_MS },
  );
  if (result.errors > 0) throw new Error(`bench: ${result.errors} errors (${args.join(' ')})`);
  return result;
}

const markOf = (meter: ComponentCpuMeter): NoiseMark => ({
  busy: cpuBusySnapshot(),
  appNs: meter.read('app').totalNs,
});

/** The open run at `openRate`, marked every --window from the bench's start to its exit. */
async function openRun(url: string, openRate: number, meter: ComponentCpuMeter, label: string) {
  const marks = [markOf(meter)];
  const timer = setInterval(() => {
    marks.push(markOf(meter));
    status(`${label}: open run at ${openRate} req/s, window ${marks.length - 1}`);
  }, values.window);
  try {
    const result = await bench(url, values.dur, ['-rate', String(openRate)]);
    return { result, marks, end: markOf(meter) };
  } finally {
    clearInterval(timer);
  }
}

/** One fresh app of `variant`: started, pinned, warmed up, then its open run measured. */
async function runApp(variant: Variant, label: string): Promise<AppRun> {
  const release = variant === 'awake' ? holdCpusAwake() : undefined;
  const meter = openComponentCpuMeter();
  meterSource = meter.source;
  let app: RunningApp | undefined;
  try {
    status(`${label}: starting`);
    app = await startApp();
    meter.add('app', app.pid ?? 0);
    await pin(app.pid ?? 0, cpus.app);
    const url = `${app.url}/ping`;
    status(`${label}: warm-up`);
    const warm = await bench(url, values.warmup, []);
    if (rate === undefined) {
      rate = Math.max(1, Math.round(warm.rps * RATE_FRACTION));
      rateSource = `${RATE_FRACTION} of the first app's warm-up capacity, ${Math.round(warm.rps)} req/s`;
    }
    const { result, marks, end } = await openRun(url, rate, meter, label);
    const start = marks[0] ?? end;
    const appNs = end.appNs - start.appNs;
    const whole = foreignLoad(start.busy, end.busy, { app: cpus.app, other: [] }, [
      { side: 'app', ns: appNs },
    ]);
    return {
      cpu_us_per_request: appNs / 1e3 / result.requests,
      foreign_cpus: whole.app.foreignCpus,
      windows: windowsOf(marks, rate, cpus.app),
    };
  } finally {
    await app?.stop();
    meter.close();
    release?.();
  }
}

const runs = new Map<Variant, AppRun[]>(values.variants.map((v) => [v, []]));
try {
  for (let i = 0; i < values.apps; i++) {
    const variant = values.variants[i % values.variants.length] ?? 'plain';
    runs.get(variant)?.push(await runApp(variant, `app ${i + 1}/${values.apps} (${variant})`));
  }
} finally {
  if (tty) process.stderr.write('\r\x1b[2K');
}

const results = values.variants.map((variant) => {
  const apps = runs.get(variant) ?? [];
  const summary: VariantSummary = summarize(apps, runWindows);
  return { variant, ...summary, runs: apps };
});
const run = {
  apps: values.apps,
  warmup_s: values.warmup / 1000,
  dur_s: values.dur / 1000,
  window_s: values.window / 1000,
  rate: rate ?? 0,
  rate_source: rateSource,
  conns: values.conns,
  app_cpus: cpus.app,
  cpu_meter: meterSource,
};
if (values.json) {
  process.stdout.write(`${JSON.stringify({ ...run, variants: results }, null, 2)}\n`);
} else {
  printNoise(run, results);
}
