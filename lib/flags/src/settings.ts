import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  brokersRule,
  choiceRule,
  integerRule,
  positiveNumberRule,
  SettingError,
  sizeRule,
  topicRule,
  urlRule,
} from './rules.js';

/**
 * One setting of a service: a flag, an environment variable, or a flag whose default an
 * environment variable overrides. A service declares all of its settings in one table; its
 * parser, its --help and its documentation's option table all come from that table.
 */
export interface Setting<T> {
  /** The flag's name without dashes; absent for settings read from the environment only. */
  readonly flag?: string;
  readonly short?: string;
  /** The environment variable read when the flag is not given. */
  readonly env?: string;
  /** `value` takes text, `switch` is on when given, `list` takes text and repeats. */
  readonly kind: 'value' | 'switch' | 'list';
  /** The value's name in --help and the docs: N, FILE, LIST. */
  readonly placeholder?: string;
  /** The default, as text a user could give (it is checked like one), or how to make it. */
  readonly default?: string | (() => string);
  /** How the docs show a default that is made, not written (HOST:PID). */
  readonly defaultDoc?: string;
  /** One line of help: what it is, not its default (that is added). */
  readonly help: string;
  /** Turns the text into the value; throws SettingError naming `name` (`--flag` or `VAR`). */
  readonly parse: (text: string, name: string) => T;
}

export type SettingsTable = Readonly<Record<string, Setting<unknown>>>;

type Common = Omit<Setting<never>, 'kind' | 'parse'>;

/** The parsed values: a setting without a default is undefined when not given. */
export type SettingValues<S extends SettingsTable> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T>
    ? S[K] extends { kind: 'list' }
      ? T[]
      : S[K] extends { kind: 'switch' }
        ? T
        : S[K] extends { default: string | (() => string) }
          ? T
          : T | undefined
    : never;
};

export const setting = {
  text: <const O extends Common>(o: O) =>
    ({ kind: 'value', parse: (text: string) => text, ...o }) as const,
  /** A path, made absolute against the working directory. */
  path: <const O extends Common>(o: O) =>
    ({ kind: 'value', parse: (text: string) => path.resolve(text), ...o }) as const,
  integer: <const O extends Common & { min: number; max: number }>(o: O) =>
    ({
      kind: 'value',
      parse: (text: string, name: string) => integerRule(name, text, o.min, o.max),
      ...o,
    }) as const,
  size: <const O extends Common & { min: number; max: number }>(o: O) =>
    ({
      kind: 'value',
      parse: (text: string, name: string) => sizeRule(name, text, o.min, o.max),
      ...o,
    }) as const,
  positiveNumber: <const O extends Common>(o: O) =>
    ({
      kind: 'value',
      parse: (text: string, name: string) => positiveNumberRule(name, text),
      ...o,
    }) as const,
  choice: <const C extends string, const O extends Common>(o: O & { choices: readonly C[] }) =>
    ({
      kind: 'value',
      parse: (text: string, name: string): C => choiceRule(name, text, o.choices),
      ...o,
    }) as const,
  brokers: <const O extends Common>(o: O) =>
    ({
      kind: 'value',
      parse: (text: string, name: string) => brokersRule(name, text),
      ...o,
    }) as const,
  topic: <const O extends Common>(o: O) =>
    ({
      kind: 'value',
      parse: (text: string, name: string) => topicRule(name, text),
      ...o,
    }) as const,
  url: <const O extends Common>(o: O) =>
    ({ kind: 'value', parse: (text: string, name: string) => urlRule(name, text), ...o }) as const,
  /** On when given; command line only. */
  switch: <const O extends Omit<Common, 'default' | 'defaultDoc' | 'placeholder' | 'env'>>(o: O) =>
    ({ kind: 'switch', parse: (text: string) => text === 'true', ...o }) as const,
  /** Repeatable; command line only. */
  list: <const O extends Omit<Common, 'default' | 'defaultDoc' | 'env'>>(o: O) =>
    ({ kind: 'list', parse: (text: string) => text, ...o }) as const,
  /** Any other rule: `parse` throws SettingError(`${name} must be ...`). */
  // NoInfer: inside a table passed to a function, the table's type must not decide O.
  custom<T, const O extends Common = Common>(
    o: O & { parse: (text: string, name: string) => T },
  ): NoInfer<O & { kind: 'value'; parse: (text: string, name: string) => T }> {
    return { kind: 'value', ...o };
  },
};

export interface ParseOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Go's style, as the seed's bench: long flags with one dash (-url), shown so in messages. */
  readonly singleDash?: boolean;
  /** Arguments that are not flags are returned, not refused. */
  readonly positionals?: boolean;
  /** Makes the service's usage error (exit code 2) from a message naming the bad value. */
  readonly usageError: (message: string) => Error;
}

/**
 * What the command line asked for: --help (print the usage, do nothing else, whatever the
 * other values are), or the values, every one checked.
 */
export type Parsed<S extends SettingsTable> =
  | { readonly help: true; readonly values?: undefined; readonly positionals: string[] }
  | { readonly help: false; readonly values: SettingValues<S>; readonly positionals: string[] };

/** How `--flag` is written in messages and help, in this service's style. */
export function flagName(name: string, singleDash = false): string {
  return `${singleDash ? '-' : '--'}${name}`;
}

function defaultText(s: Setting<unknown>): string | undefined {
  return typeof s.default === 'function' ? s.default() : s.default;
}

/**
 * Go's flag package takes long flags with one dash (-url): with `singleDash`, those become
 * --url. A value that starts with a dash (--conns -5) is attached with "=", so that it reaches
 * the rule and is refused by name; a known flag after a flag that wants a value is left
 * alone (--comm --no-kafka is refused as a missing value, not read as a process name).
 * Nothing after "--" is touched.
 */
function normalize(argv: readonly string[], table: SettingsTable, singleDash: boolean): string[] {
  const byName = new Map(
    Object.values(table).flatMap((s) => (s.flag === undefined ? [] : [[s.flag, s] as const])),
  );
  const flagPattern = singleDash ? /^--?([a-z][a-z0-9-]*)(=|$)/ : /^--([a-z][a-z0-9-]*)(=|$)/;
  const isFlag = (arg: string): boolean => {
    const name = flagPattern.exec(arg)?.[1] ?? '';
    return byName.has(name) || name === 'help' || arg === '-h';
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const match = flagPattern.exec(arg);
    const found = byName.get(match?.[1] ?? '');
    if (!match || !found) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (
      found.kind !== 'switch' &&
      match[2] === '' &&
      next !== undefined &&
      next.startsWith('-') &&
      next !== '--' &&
      !isFlag(next)
    ) {
      out.push(`--${found.flag ?? ''}=${next}`);
      i++;
    } else {
      out.push(arg.startsWith('--') ? arg : `-${arg}`);
    }
  }
  return out;
}

/** Reads a table of environment variables only (a service without flags). */
export function parseEnvironment<S extends SettingsTable>(
  table: S,
  options: Omit<ParseOptions, 'singleDash' | 'positionals'>,
): SettingValues<S> {
  const parsed = parseSettings(table, [], options);
  if (parsed.help) throw new Error('no command line was given, so no --help either');
  return parsed.values;
}

/**
 * Reads `argv` and the environment against the table: a flag wins over its environment
 * variable, which wins over the default. Every value, defaults included, goes through its
 * rule; the first bad one is a usage error naming it. The result is frozen.
 */
export function parseSettings<S extends SettingsTable>(
  table: S,
  argv: readonly string[],
  options: ParseOptions,
): Parsed<S> {
  const env = options.env ?? process.env;
  const parseOptions: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of Object.values(table)) {
    if (s.flag === undefined) continue;
    parseOptions[s.flag] = {
      type: s.kind === 'switch' ? 'boolean' : 'string',
      ...(s.kind === 'list' ? { multiple: true } : {}),
      ...(s.short === undefined ? {} : { short: s.short }),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: normalize(argv, table, options.singleDash === true),
      options: parseOptions,
      allowPositionals: options.positionals === true,
      strict: true,
    });
  } catch (err) {
    throw options.usageError((err as Error).message.split('\n')[0] ?? 'bad flags');
  }
  const given = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (given.help === true) return Object.freeze({ help: true, positionals: parsed.positionals });
  const values: Record<string, unknown> = {};
  try {
    for (const [key, s] of Object.entries(table)) {
      const fromFlag = s.flag === undefined ? undefined : given[s.flag];
      if (s.kind === 'switch') {
        values[key] = fromFlag === true;
        continue;
      }
      if (s.kind === 'list') {
        const texts = Array.isArray(fromFlag) ? fromFlag : [];
        values[key] = texts.map((text) =>
          s.parse(text, flagName(s.flag ?? '', options.singleDash)),
        );
        continue;
      }
      const fromEnv = s.env === undefined || env[s.env] === '' ? undefined : env[s.env];
      let text: string | undefined;
      let name: string;
      if (typeof fromFlag === 'string') {
        text = fromFlag;
        name = flagName(s.flag ?? '', options.singleDash);
      } else if (fromEnv !== undefined) {
        text = fromEnv;
        name = s.env ?? '';
      } else {
        text = defaultText(s);
        name = s.flag === undefined ? (s.env ?? key) : flagName(s.flag, options.singleDash);
      }
      values[key] = text === undefined ? undefined : s.parse(text, name);
    }
  } catch (err) {
    if (err instanceof SettingError) throw options.usageError(err.message);
    throw err;
  }
  return Object.freeze({
    help: false,
    values: Object.freeze(values) as SettingValues<S>,
    positionals: parsed.positionals,
  });
}
