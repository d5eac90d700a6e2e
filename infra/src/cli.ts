import { codedCause, EXIT, runMain } from '@obscost/errors';
import { parseSettings, setting, usageText } from '@obscost/flags';
import { loadInfraConfig, SETTINGS } from './config.js';
import { InfraError } from './errors.js';
import { componentNamed, COMPONENTS, down, status, statusLine, up } from './stack.js';

/** The command's one flag; everything else is an environment variable (SETTINGS). */
const FLAGS = {
  lines: setting.integer({
    flag: 'lines',
    short: 'n',
    placeholder: 'LINES',
    default: '100',
    min: 1,
    max: 1_000_000,
    help: 'how many lines `logs` prints',
  }),
};

const USAGE = usageText(
  { ...FLAGS, ...SETTINGS },
  {
    usage: 'npm run infra -- up [component] | down | status | logs <component> [-n LINES]',
    about:
      `Runs the project's infrastructure natively on loopback: ` +
      `${COMPONENTS.map((c) => c.name).join(', ')}. Settings are environment variables ` +
      '(docs/infrastructure.md, "Running it natively"):',
  },
);

/** `status` exits so when a component is not healthy. */
const EXIT_NOT_HEALTHY = 3;

const report = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const usageError = (message: string): InfraError => new InfraError('INFRA_USAGE', message);

async function main(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseSettings(FLAGS, argv, {
    env: {},
    positionals: true,
    usageError,
  });
  const [command, name, ...rest] = positionals;
  if (help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return help ? EXIT.ok : EXIT.usage;
  }
  if (rest.length > 0) throw usageError(`unexpected argument "${rest[0] ?? ''}"`);
  const config = loadInfraConfig();
  switch (command) {
    case 'up':
      await up(config, report, name === undefined ? COMPONENTS : [componentNamed(name)]);
      return EXIT.ok;
    case 'down':
      await down(config, report);
      return EXIT.ok;
    case 'status': {
      const states = await status(config);
      for (const s of states) report(statusLine(s));
      return states.every((s) => s.healthy) ? EXIT.ok : EXIT_NOT_HEALTHY;
    }
    case 'logs':
      if (name === undefined) throw usageError('logs needs a component name');
      report(componentNamed(name).process(config).tail(values.lines));
      return EXIT.ok;
    default:
      throw usageError(`unknown command "${command}": up, down, status or logs`);
  }
}

// No hint after a usage error: its line says what is allowed.
runMain('infra', () => main(process.argv.slice(2)), {
  usageHint: '',
  details: (err) => {
    const coded = codedCause(err);
    return coded instanceof InfraError ? coded.details : '';
  },
});
