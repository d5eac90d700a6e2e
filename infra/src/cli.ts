import { parseArgs } from 'node:util';
import { InfraConfigError, loadInfraConfig } from './config.js';
import { ComponentFailure, componentNamed, COMPONENTS, down, status, up } from './stack.js';

const USAGE = `usage: npm run infra -- up [component] | down | status | logs <component> [-n LINES]

Runs the project's infrastructure natively on loopback: ${COMPONENTS.map((c) => c.name).join(', ')}.
Settings are environment variables (README, "Infrastructure").`;

const report = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lines: { type: 'string', short: 'n', default: '100' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, name, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (rest.length > 0) throw new RangeError(`unexpected argument "${rest[0] ?? ''}"`);
  const config = loadInfraConfig();
  switch (command) {
    case 'up':
      await up(config, report, name === undefined ? COMPONENTS : [componentNamed(name)]);
      return 0;
    case 'down':
      await down(config, report);
      return 0;
    case 'status': {
      const states = await status(config);
      for (const s of states) {
        const state = s.healthy ? 'up' : s.pid === undefined ? 'down' : 'running, not healthy';
        report(`${s.name.padEnd(11)} ${state}${s.pid === undefined ? '' : ` (pid ${s.pid})`}`);
      }
      return states.every((s) => s.healthy) ? 0 : 3;
    }
    case 'logs': {
      if (name === undefined) throw new RangeError('logs needs a component name');
      const lines = Number(values.lines);
      if (!Number.isSafeInteger(lines) || lines < 1) {
        throw new RangeError(`-n must be a positive integer, got "${values.lines}"`);
      }
      report(componentNamed(name).process(config).tail(lines));
      return 0;
    }
    default:
      throw new RangeError(`unknown command "${command}": up, down, status or logs`);
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`infra: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof ComponentFailure && err.logTail !== '') {
      process.stderr.write(`--- last lines of the ${err.component} log ---\n${err.logTail}\n`);
    }
    const usage =
      err instanceof InfraConfigError ||
      err instanceof RangeError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    process.exitCode = usage ? 2 : 1;
  },
);
