/**
 * The whole stack under steady load for a while (10 minutes by default): every part's memory
 * (RSS) and open file descriptors, and the aggregator's Kafka lag, sampled all along. Each
 * service must stay under its stated RSS bound, and file descriptors and lag must stay flat:
 * the last quarter's samples no higher than the first quarter's after warm-up, by a margin.
 * Not in CI: it takes its duration, and wants a quiet machine.
 *
 *   npm run bench:soak -- [--dur 10m] [--rate 500] [--sample 10s] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { durationRule, setting } from '@obscost/flags';
import { BENCH_CLI, freeStackPorts, STACK_CLI_MAIN } from '@obscost/infra';
import { openFds, rssBytes, scrape, sumOf } from '@obscost/measure';
import { runToEnd, sleep } from '@obscost/process';
import { benchmarkFlags, flag } from './settings.js';

const values = benchmarkFlags('bench:soak', 'The whole stack under steady load.', {
  dur: flag.dur('10m'),
  rate: flag.count('rate', 500, "the app's request rate, req/s"),
  sample: setting.custom({
    flag: 'sample',
    placeholder: 'D',
    default: '10s',
    help: 'time between samples',
    parse: (text, name) => durationRule(name, text),
  }),
  json: setting.switch({ flag: 'json', help: 'print the samples and the verdicts as JSON' }),
});

/** The RSS each part must stay under, in MiB: its stated bound (docs/benchmarks.md). */
const RSS_BOUND_MIB: Record<string, number> = {
  kafka: 1024,
  collector: 300,
  prometheus: 400,
  app: 250,
  observer: 250,
  aggregator: 300,
};
/** Samples before this share of the run are warm-up: fds and lag are compared after it. */
const WARM_UP = 0.25;
/** How much higher the last quarter may be than the first, for fds (counts) and lag (records). */
const FD_SLACK = 8;
const LAG_SLACK = 5_000;

interface Sample {
  seconds: number;
  rssMiB: Record<string, number>;
  fds: Record<string, number>;
  lag: number;
}

const progress = (line: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
};

async function lagOf(metricsUrl: string): Promise<number> {
  return sumOf(await scrape(metricsUrl), 'aggregator_consumer_lag_records');
}

const workDir = mkdtempSync(path.join(tmpdir(), 'obscost-soak-'));
const ports = await freeStackPorts();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...ports,
  OBSCOST_WORK_DIR: workDir,
  APP_LOG_FILE: path.join(workDir, 'app/requests.log'),
};
const stack = (command: string) => runToEnd(process.execPath, [STACK_CLI_MAIN, command], { env });

try {
  progress('starting the stack');
  const up = await stack('up');
  if (up.code !== 0) throw new Error(`stack up failed:\n${up.stdout}${up.stderr}`);
  const pids = Object.fromEntries(
    [...up.stdout.matchAll(/^(\w+): up in [\d.]+ s \(pid (\d+)\)$/gm)].map(([, name, pid]) => [
      name ?? '',
      Number(pid),
    ]),
  );
  const load = runToEnd(
    process.execPath,
    [
      BENCH_CLI,
      ...['-url', `http://127.0.0.1:${ports.APP_PORT ?? ''}/ping`, '-conns', '8'],
      ...['-rate', String(values.rate), '-dur', `${values.dur}ms`, '-json'],
    ],
    { timeoutMs: values.dur + 120_000 },
  );
  const samples: Sample[] = [];
  const started = performance.now();
  for (;;) {
    const seconds = (performance.now() - started) / 1000;
    samples.push({
      seconds,
      rssMiB: Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid) / 1024 / 1024]),
      ),
      fds: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, openFds(pid)])),
      lag: await lagOf(`http://127.0.0.1:${ports.AGGREGATOR_PORT ?? ''}/metrics`),
    });
    progress(`${Math.round(seconds)} s of ${values.dur / 1000} s, ${samples.length} samples`);
    if (seconds * 1000 >= values.dur) break;
    await sleep(values.sample);
  }
  const result = await load;
  progress('');
  if (result.code !== 0) throw new Error(`the load generator failed: ${result.stderr}`);
  const loadSummary = JSON.parse(result.stdout) as { requests: number; rps: number };

  const after = samples.filter((s) => s.seconds >= (values.dur / 1000) * WARM_UP);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const first = after.slice(0, quarter);
  const last = after.slice(-quarter);
  const max = (list: Sample[], read: (s: Sample) => number): number => Math.max(...list.map(read));
  const verdicts = Object.keys(pids).map((name) => {
    const peakRss = max(samples, (s) => s.rssMiB[name] ?? 0);
    const fdsFirst = max(first, (s) => s.fds[name] ?? 0);
    const fdsLast = max(last, (s) => s.fds[name] ?? 0);
    const bound = RSS_BOUND_MIB[name] ?? Infinity;
    return {
      name,
      rssMiB: { first: samples[0]?.rssMiB[name] ?? 0, peak: peakRss, bound },
      fds: { first: fdsFirst, last: fdsLast },
      ok: peakRss <= bound && fdsLast <= fdsFirst + FD_SLACK,
    };
  });
  const lag = { first: max(first, (s) => s.lag), last: max(last, (s) => s.lag) };
  const lagOk = lag.last <= lag.first + LAG_SLACK;
  const ok = lagOk && verdicts.every((v) => v.ok);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ load: loadSummary, verdicts, lag, ok, samples }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `${loadSummary.requests} requests at ${Math.round(loadSummary.rps)}/s for ` +
        `${values.dur / 1000} s, ${samples.length} samples\n`,
    );
    for (const v of verdicts) {
      process.stdout.write(
        `${v.name.padEnd(11)} RSS ${v.rssMiB.first.toFixed(0)} -> peak ` +
          `${v.rssMiB.peak.toFixed(0)} MiB (bound ${v.rssMiB.bound}), fds ${v.fds.first} -> ` +
          `${v.fds.last}  ${v.ok ? 'ok' : 'FAILED'}\n`,
      );
    }
    process.stdout.write(
      `kafka lag   first quarter max ${lag.first}, last quarter max ${lag.last} records  ` +
        `${lagOk ? 'ok' : 'FAILED'}\n`,
    );
  }
  process.exitCode = ok ? 0 : 1;
} finally {
  await stack('down');
  rmSync(workDir, { recursive: true, force: true });
}
