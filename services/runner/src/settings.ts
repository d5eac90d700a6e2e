import { durationRule, positiveIntegerRule } from '@obscost/bench';
import { parseSettings, setting, usageText, type SettingValues } from '@obscost/flags';
import { RunError } from './errors.js';

/** The main job's flags (`npm start -- ...`): docs/infrastructure.md. */
export const SETTINGS = {
  durationMs: setting.custom({
    flag: 'dur',
    placeholder: 'D',
    default: '5s',
    help: 'how long each scenario drives the app, e.g. 500ms, 20s, 1m',
    parse: (text: string, name: string) => durationRule(name, text),
  }),
  conns: setting.custom({
    flag: 'conns',
    placeholder: 'N',
    default: '50',
    help: "the bench's concurrent connections",
    parse: (text: string, name: string) => positiveIntegerRule(name, text),
  }),
};

export const USAGE = usageText(SETTINGS, {
  usage: 'npm start -- [--dur D] [--conns N]',
  about:
    'Starts the app, drives /ping and then /work?ms=2 with the bench for D each, prints both ' +
    'summaries and stops the app.',
});

/** The flags, or undefined for --help; a bad one is a RUN_USAGE error naming it. */
export function parseRunArgs(argv: readonly string[]): SettingValues<typeof SETTINGS> | undefined {
  const { values, help } = parseSettings(SETTINGS, argv, {
    env: {},
    usageError: (message) => new RunError('RUN_USAGE', message),
  });
  return help ? undefined : values;
}
