import {
  checkReachable,
  failureOf,
  formatSummary,
  ProgressLine,
  runLoad,
  type LoadOptions,
} from '@obscost/bench';
import { runMain } from '@obscost/errors';
import { startApp } from '@obscost/infra';
import { parseRunArgs, USAGE } from './settings.js';

interface Scenario {
  name: string;
  path: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'ping', path: '/ping' },
  { name: 'work 2 ms', path: '/work?ms=2' },
];

async function main(argv: string[]): Promise<number> {
  const settings = parseRunArgs(argv);
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

// After a flag error the whole usage follows, as it always has.
runMain('obscost', () => main(process.argv.slice(2)), { usageHint: USAGE });
