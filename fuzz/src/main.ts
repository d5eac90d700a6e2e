/**
 * Coverage-guided fuzzing of the code that reads what others send: the aggregator's reading
 * of Kafka records and the load generator's HTTP response parser (fuzz/src/targets.ts).
 * Each target's committed corpus (fuzz/corpus/<target>/) runs first, as a regression test,
 * then mutations until the duration is over. A crash, hang or memory exhaustion is written to
 * the findings folder and the exit code is 1.
 *
 *   npm run fuzz -- [--target NAME]... [--dur 60s] [--hang 10s] [--seed N] [--save-corpus]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorClass, runMain, usage } from '@obscost/errors';
import { choiceRule, durationRule, parseSettings, setting, usageText } from '@obscost/flags';
import { runCampaign, type CampaignResult } from './campaign.js';
import { TARGETS } from './targets.js';

const ERRORS = { FUZZ_USAGE: usage('bad flags for npm run fuzz') } as const;
class FuzzError extends errorClass('FuzzError', ERRORS) {}

const ROOT = path.resolve(import.meta.dirname, '../../..');
const NAMES = Object.keys(TARGETS);

const TABLE = {
  target: setting.list({
    flag: 'target',
    placeholder: 'NAME',
    help: `a target to fuzz, repeatable: ${NAMES.join(', ')} (all when not given)`,
  }),
  dur: setting.custom({
    flag: 'dur',
    placeholder: 'D',
    default: '60s',
    help: 'how long to fuzz each target, after its corpus',
    parse: (text, name) => durationRule(name, text),
  }),
  hang: setting.custom({
    flag: 'hang',
    placeholder: 'D',
    default: '10s',
    help: 'an input that runs longer than this is a hang',
    parse: (text, name) => durationRule(name, text),
  }),
  seed: setting.integer({
    flag: 'seed',
    placeholder: 'N',
    default: '0',
    min: 0,
    max: 2 ** 32 - 1,
    help: "the mutator's random seed; 0 draws one (printed, to repeat a run)",
  }),
  saveCorpus: setting.switch({
    flag: 'save-corpus',
    help: 'add the inputs that reached new code to fuzz/corpus/<target>/',
  }),
  findings: setting.path({
    flag: 'findings',
    placeholder: 'DIR',
    default: path.join(ROOT, 'fuzz/findings'),
    defaultDoc: 'fuzz/findings',
    help: 'where an input that crashed, hung or ran out of memory is written',
  }),
};

const digest = (input: Buffer): string =>
  createHash('sha256').update(input).digest('hex').slice(0, 16);

function corpusOf(dir: string): Buffer[] {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(path.join(dir, name)));
}

function describe(name: string, result: CampaignResult, seconds: number, seeds: number): string {
  const { execs, corpus, features } = result.stats;
  const rate = Math.round(execs / Math.max(seconds, 0.001));
  return (
    `fuzz: ${name}: ${execs.toLocaleString('en-US')} inputs in ${seconds.toFixed(0)} s ` +
    `(${rate.toLocaleString('en-US')}/s), the ${seeds} of the corpus first; ` +
    `${features.toLocaleString('en-US')} blocks, corpus ${corpus} (+${result.discovered.length})`
  );
}

async function main(): Promise<number> {
  const parsed = parseSettings(TABLE, process.argv.slice(2), {
    usageError: (message) => new FuzzError('FUZZ_USAGE', message),
  });
  if (parsed.help) {
    const about = 'Coverage-guided fuzzing of the aggregator record reader and the bench parser.';
    process.stdout.write(`${usageText(TABLE, { usage: 'npm run fuzz -- [options]', about })}\n`);
    return 0;
  }
  const options = parsed.values;
  let names;
  try {
    names =
      options.target.length > 0
        ? options.target.map((t) => choiceRule('--target', t, NAMES))
        : NAMES;
  } catch (err) {
    throw new FuzzError('FUZZ_USAGE', (err as Error).message);
  }
  const seed = options.seed || Math.floor(Math.random() * 2 ** 32);
  process.stdout.write(`fuzz: seed ${seed}, ${options.dur / 1000} s a target\n`);
  let failed = false;
  for (const name of names) {
    const corpusDir = path.join(ROOT, 'fuzz/corpus', name);
    const seeds = corpusOf(corpusDir);
    const started = Date.now();
    const result = await runCampaign({
      module: new URL('./targets.js', import.meta.url).href,
      target: name,
      seeds,
      durationMs: options.dur,
      hangMs: options.hang,
      seed,
      progress: ({ execs, corpus, features }) => {
        if (!process.stderr.isTTY) return;
        const left = Math.max(0, (started + options.dur - Date.now()) / 1000).toFixed(0);
        process.stderr.write(
          `\r\x1b[2K  ${name}: ${execs} inputs, ${features} blocks, corpus ${corpus}, ${left} s left`,
        );
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    process.stdout.write(
      `${describe(name, result, (Date.now() - started) / 1000, seeds.length)}\n`,
    );
    if (options.saveCorpus) {
      for (const input of result.discovered) {
        writeFileSync(path.join(corpusDir, digest(input)), input);
      }
    }
    if (result.finding) {
      failed = true;
      const { kind, input, error } = result.finding;
      mkdirSync(options.findings, { recursive: true });
      const file = path.join(
        options.findings,
        `${name}-${kind.replace(/ /g, '-')}-${digest(input)}`,
      );
      writeFileSync(file, input);
      process.stdout.write(
        `fuzz: ${name}: ${kind}: ${error}\nfuzz: ${name}: the input is ${file}\n`,
      );
    }
  }
  return failed ? 1 : 0;
}

runMain('fuzz', main);
