/**
 * Is our load generator what limits a measurement? Runs it, wrk and autocannon against
 * the app's /ping on this machine, same connections and duration, alternating, several
 * runs each; prints the median req/s of each and the ratios ours/wrk and ours/autocannon.
 *
 *   npm run bench:http -- [--runs 5] [--dur 5s] [--conns 50]
 */
import path from 'node:path';
import { median } from '@obscost/measure';
import { runToEnd } from '@obscost/process';
import { benchJson, ROOT, startApp } from '@obscost/infra';
import { benchmarkFlags, flag } from './settings.js';

/** A tool's standard output; a tool that fails ends the benchmark with what it said. */
async function outputOf(command: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runToEnd(command, args);
  if (code !== 0) throw new Error(`${command} exited with code ${code}: ${stderr.trim()}`);
  return stdout;
}

type Tool = 'bench' | 'wrk' | 'autocannon';

const { runs, dur, conns } = benchmarkFlags(
  'bench:http',
  'Our load generator against wrk and autocannon.',
  {
    runs: flag.runs(5),
    dur: flag.dur('5s'),
    conns: flag.conns(50),
  },
);
const seconds = dur / 1000;

async function requestsPerSecond(tool: Tool, url: string): Promise<number> {
  switch (tool) {
    case 'bench':
      return (await benchJson(['-url', url, '-conns', String(conns), '-dur', `${seconds}s`])).rps;
    case 'wrk': {
      const stdout = await outputOf('wrk', ['-t1', `-c${conns}`, `-d${seconds}s`, url]);
      const match = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
      if (!match) throw new Error(`no Requests/sec in wrk's output:\n${stdout}`);
      return Number(match[1]);
    }
    case 'autocannon': {
      const cli = path.join(ROOT, 'node_modules/.bin/autocannon');
      const stdout = await outputOf(cli, ['-c', String(conns), '-d', String(seconds), '-j', url]);
      const report = JSON.parse(stdout) as { requests: { total: number }; duration: number };
      return report.requests.total / report.duration;
    }
  }
}

const app = await startApp({ APP_MARKER: 'off' });
const url = `${app.url}/ping`;
const tools: Tool[] = ['bench', 'wrk', 'autocannon'];
const samples = new Map<Tool, number[]>(tools.map((tool) => [tool, []]));
const tty = process.stderr.isTTY;
try {
  for (let i = 1; i <= runs; i++) {
    for (const tool of tools) {
      if (tty) process.stderr.write(`\r\x1b[2K  run ${i}/${runs}: ${tool}`);
      samples.get(tool)?.push(await requestsPerSecond(tool, url));
    }
  }
} finally {
  if (tty) process.stderr.write('\r\x1b[2K');
  await app.stop();
}

const medians = Object.fromEntries(tools.map((tool) => [tool, median(samples.get(tool) ?? [])]));
const ours = medians.bench ?? NaN;
process.stdout.write(
  `/ping, ${conns} connections, ${seconds}s a run, ${runs} runs each, alternating\n` +
    tools
      .map(
        (tool) =>
          `${tool.padEnd(11)} median ${(medians[tool] ?? NaN).toFixed(0).padStart(7)} req/s` +
          `   runs: ${(samples.get(tool) ?? []).map((v) => v.toFixed(0)).join(' ')}`,
      )
      .join('\n') +
    `\nours/wrk        ${(ours / (medians.wrk ?? NaN)).toFixed(3)}` +
    `\nours/autocannon ${(ours / (medians.autocannon ?? NaN)).toFixed(3)}\n`,
);
