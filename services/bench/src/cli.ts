import { readFileSync } from 'node:fs';
import { parseCommand, UsageError, USAGE, type LoadOptions } from './args.js';
import { CompareInputError, compareFigures, formatComparison, parseFigures } from './compare.js';
import { checkReachable, runLoad } from './load.js';
import { ProgressLine } from './progress.js';
import { failureOf, formatSummary } from './summary.js';

const EXIT_FAILED_RUN = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

async function run(load: LoadOptions, json: boolean): Promise<number> {
  await checkReachable(load.url, load.timeoutMs);
  const progress = new ProgressLine(process.stderr);
  const abort = new AbortController();
  const onSigint = (): void => {
    abort.abort('SIGINT');
  };
  process.once('SIGINT', onSigint);
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
  process.off('SIGINT', onSigint);
  progress.clear();
  process.stdout.write(
    json ? `${JSON.stringify(result)}\n` : formatSummary(result, load.durationMs),
  );
  const failure = failureOf(result);
  if (failure !== undefined) process.stderr.write(`bench: ${failure}\n`);
  if (abort.signal.aborted) return EXIT_INTERRUPTED;
  return failure === undefined ? 0 : EXIT_FAILED_RUN;
}

function compare(files: [string, string], json: boolean): number {
  const [a, b] = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CompareInputError(`cannot read ${file}: ${(err as Error).message}`);
    }
    return parseFigures(text, file);
  });
  if (!a || !b) return EXIT_USAGE;
  const rows = compareFigures(a, b);
  process.stdout.write(
    json
      ? `${JSON.stringify(Object.fromEntries(rows.map(({ name, ...rest }) => [name, rest])))}\n`
      : formatComparison(rows, files),
  );
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCommand(argv);
    switch (command.kind) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'compare':
        return compare(command.files, command.json);
      case 'run':
        return await run(command.load, command.json);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`bench: ${message}\n`);
    if (err instanceof UsageError || err instanceof CompareInputError) {
      if (err instanceof UsageError) process.stderr.write('run "bench -h" for usage\n');
      return EXIT_USAGE;
    }
    return EXIT_FAILED_RUN;
  }
}

process.exitCode = await main(process.argv.slice(2));
