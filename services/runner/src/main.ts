import { parseArgs } from 'node:util';
import {
  checkReachable,
  failureOf,
  formatSummary,
  parseDuration,
  ProgressLine,
  runLoad,
  type LoadOptions,
} from '@obscost/bench';
import { startApp } from './processes.js';

const USAGE = `usage: npm start -- [--dur D] [--conns N]

Starts the app, drives /ping and then /work?ms=2 with the bench for D each
(default 5s, N connections, default 50), prints both summaries and stops the app.`;

interface Scenario {
  name: string;
  path: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'ping', path: '/ping' },
  { name: 'work 2 ms', path: '/work?ms=2' },
];

function options(argv: string[]): { durationMs: number; conns: number } | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      dur: { type: 'string', default: '5s' },
      conns: { type: 'string', default: '50' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const conns = Number(values.conns);
  if (!Number.isSafeInteger(conns) || conns < 1) {
    throw new RangeError(`--conns must be a positive integer, got ${JSON.stringify(values.conns)}`);
  }
  return { durationMs: parseDuration(values.dur), conns };
}

async function main(argv: string[]): Promise<number> {
  let settings;
  try {
    settings = options(argv);
  } catch (err) {
    process.stderr.write(`obscost: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (settings === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  process.stderr.write('obscost: starting the app\n');
  const app = await startApp();
  let failed = false;
  try {
    for (const scenario of SCENARIOS) {
      const load: LoadOptions = {
        url: new URL(scenario.path, app.url),
        conns: settings.conns,
        durationMs: settings.durationMs,
        rate: undefined,
        requests: undefined,
        timeoutMs: 10_000,
        method: 'GET',
        headers: [],
        body: undefined,
      };
      process.stderr.write(`obscost: ${scenario.name}\n`);
      await checkReachable(load.url, load.timeoutMs);
      const progress = new ProgressLine(process.stderr);
      const result = await runLoad(load, {
        ...(progress.enabled
          ? {
              progress: (p) => {
                progress.update(p);
              },
            }
          : {}),
      });
      progress.clear();
      process.stdout.write(`\n${formatSummary(result, load.durationMs)}`);
      const failure = failureOf(result);
      if (failure !== undefined) {
        process.stderr.write(`obscost: ${scenario.name}: ${failure}\n`);
        failed = true;
      }
    }
  } finally {
    process.stderr.write('obscost: stopping the app\n');
    await app.stop();
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`obscost: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
