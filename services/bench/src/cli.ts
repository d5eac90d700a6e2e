import { readFileSync } from 'node:fs';
import { EXIT, onShutdown, reportFailure, runMain } from '@obscost/errors';
import { compareFigures, formatComparison, parseFigures, type Figures } from './compare.js';
import { BenchError } from './errors.js';
import { runLoad } from './load.js';
import type { LoadOptions } from './load-options.js';
import { ProgressLine } from './progress.js';
import { parseCommand, USAGE } from './settings.js';
import { failureOf, formatSummary } from './summary.js';
import { checkReachable } from './target.js';

async function run(load: LoadOptions, json: boolean): Promise<number> {
  await checkReachable(load.url, load.timeoutMs);
  const progress = new ProgressLine(process.stderr);
  const abort = new AbortController();
  // Only Ctrl-C prints the partial results: SIGTERM ends the bench as Node's default does.
  const stopOnSigint = onShutdown(['SIGINT'], (signal) => {
    abort.abort(signal);
  });
  const result = await runLoad(load, {
    signal: abort.signal,
    ...(progress.enabled
      ? {
          progress: (p) => {
            progress.update(p);
          },
        }
      : {}),
  });
  stopOnSigint();
  progress.clear();
  process.stdout.write(
    json ? `${JSON.stringify(result)}\n` : formatSummary(result, load.durationMs),
  );
  const failure = failureOf(result);
  if (abort.signal.aborted) {
    if (failure !== undefined) reportFailure('bench', new BenchError('BENCH_RUN_FAILED', failure));
    return EXIT.interrupted;
  }
  if (failure !== undefined) throw new BenchError('BENCH_RUN_FAILED', failure);
  return 0;
}

function readFigures(file: string): Figures {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BenchError('BENCH_COMPARE_INPUT', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseFigures(text, file);
}

function compare(files: [string, string], json: boolean): number {
  const rows = compareFigures(readFigures(files[0]), readFigures(files[1]));
  process.stdout.write(
    json
      ? `${JSON.stringify(Object.fromEntries(rows.map(({ name, ...rest }) => [name, rest])))}\n`
      : formatComparison(rows, files),
  );
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'compare':
      return compare(command.files, command.json);
    case 'run':
      return run(command.load, command.json);
  }
}

runMain('bench', () => main(process.argv.slice(2)), { usageHint: 'run "bench -h" for usage' });
