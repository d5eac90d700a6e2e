/**
 * What the observer's probes cost the app: /ping throughput and p99 with and without the
 * observer attached, alternating, several runs each, as medians and ratios.
 *
 *   npm run bench:overhead -- [--runs 5] [--dur 5s] [--conns 50]
 */
import { formatDuration, median, type LoadResult } from '@obscost/bench';
import { benchJson, startApp, startObserver } from '@obscost/infra';
import { benchmarkFlags, flag } from './settings.js';

const { runs, dur, conns } = benchmarkFlags(
  'bench:overhead',
  "What the observer's probes cost the app.",
  {
    runs: flag.runs(5),
    dur: flag.dur('5s'),
    conns: flag.conns(50),
  },
);

const app = await startApp();
const url = `${app.url}/ping`;
const tty = process.stderr.isTTY;

function bench(): Promise<LoadResult> {
  return benchJson(['-url', url, '-conns', String(conns), '-dur', formatDuration(dur)]);
}

const without: LoadResult[] = [];
const withObserver: LoadResult[] = [];
try {
  for (let i = 1; i <= runs; i++) {
    if (tty) process.stderr.write(`\r\x1b[2K  run ${i}/${runs}`);
    without.push(await bench());
    const observer = await startObserver(['--no-kafka', '--pid', String(app.process.pid)]);
    try {
      withObserver.push(await bench());
    } finally {
      await observer.stop();
    }
  }
} finally {
  if (tty) process.stderr.write('\r\x1b[2K');
  await app.stop();
}
const rps = (results: LoadResult[]): number => median(results.map((r) => r.rps));
const p99 = (results: LoadResult[]): number => median(results.map((r) => r.latency_ms.p99));
process.stdout.write(
  `/ping, ${conns} connections, ${formatDuration(dur)} a run, ${runs} runs each, alternating\n` +
    `without observer  median ${rps(without).toFixed(0)} req/s, p99 ${p99(without).toFixed(2)} ms   runs: ${without.map((r) => r.rps.toFixed(0)).join(' ')}\n` +
    `with observer     median ${rps(withObserver).toFixed(0)} req/s, p99 ${p99(withObserver).toFixed(2)} ms   runs: ${withObserver.map((r) => r.rps.toFixed(0)).join(' ')}\n` +
    `with/without      req/s ${(rps(withObserver) / rps(without)).toFixed(3)}, p99 ${(p99(withObserver) / p99(without)).toFixed(3)}\n`,
);
