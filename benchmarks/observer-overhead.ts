/**
 * What the observer's probes cost the app: /ping throughput and p99 with and without the
 * observer attached, alternating, several runs each, as medians and ratios.
 *
 *   npm run bench:overhead -- [--runs 5] [--dur 5s] [--conns 50]
 */
import { parseArgs } from 'node:util';
import { median, type LoadResult } from '@obscost/bench';
import { benchJson, startApp, startObserver } from '@obscost/runner';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    dur: { type: 'string', default: '5s' },
    conns: { type: 'string', default: '50' },
  },
});
const runs = Number(values.runs);

const app = await startApp();
const url = `${app.url}/ping`;
const tty = process.stderr.isTTY;

function bench(): Promise<LoadResult> {
  return benchJson(['-url', url, '-conns', values.conns, '-dur', values.dur]);
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
  `/ping, ${values.conns} connections, ${values.dur} a run, ${runs} runs each, alternating\n` +
    `without observer  median ${rps(without).toFixed(0)} req/s, p99 ${p99(without).toFixed(2)} ms   runs: ${without.map((r) => r.rps.toFixed(0)).join(' ')}\n` +
    `with observer     median ${rps(withObserver).toFixed(0)} req/s, p99 ${p99(withObserver).toFixed(2)} ms   runs: ${withObserver.map((r) => r.rps.toFixed(0)).join(' ')}\n` +
    `with/without      req/s ${(rps(withObserver) / rps(without)).toFixed(3)}, p99 ${(p99(withObserver) / p99(without)).toFixed(3)}\n`,
);
