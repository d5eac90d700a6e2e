import { readFileSync } from 'node:fs';
import { SettingError } from '@obscost/flags';
import { SERVICE_SETTINGS } from './service-settings.js';

const CONFIG_FLAG = '--service-config';

/** The keys a service config file may hold: the service's flags, without their dashes. */
const KEYS: readonly string[] = Object.values(SERVICE_SETTINGS).map((s) => s.flag);

/** Reads `file` as a JSON object of the service's flags; anything else is a SettingError. */
function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingError(`${CONFIG_FLAG} ${file} cannot be read: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SettingError(`${CONFIG_FLAG} ${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingError(
      `${CONFIG_FLAG} ${file} must hold one JSON object of the service's flags`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** The file's flags as a command line: `{"service-url": "…"}` -> `--service-url …`. */
function configArgs(file: string): string[] {
  return Object.entries(readConfig(file)).flatMap(([key, value]) => {
    if (!KEYS.includes(key)) {
      throw new SettingError(
        `${CONFIG_FLAG} ${file}: unknown key "${key}": one of ${KEYS.join(', ')}`,
      );
    }
    if (typeof value !== 'string') {
      throw new SettingError(`${CONFIG_FLAG} ${file}: "${key}" must be a string`);
    }
    return [`--${key}`, value];
  });
}

/**
 * The command line with a --service-config FILE replaced by the flags the file holds, put
 * first: a flag given on the command line as well wins (the last one given counts), and every
 * value meets the flag's own rules and messages. One file at most.
 */
export function withServiceConfig(argv: readonly string[]): string[] {
  const args = [...argv];
  const at = args.findIndex((a) => a === CONFIG_FLAG || a.startsWith(`${CONFIG_FLAG}=`));
  if (at < 0) return args;
  const [given = ''] = args.splice(at, 1);
  const file = given.includes('=') ? given.slice(given.indexOf('=') + 1) : args.splice(at, 1)[0];
  if (file === undefined || file === '' || file.startsWith('--')) {
    throw new SettingError(`${CONFIG_FLAG} needs a FILE`);
  }
  if (args.some((a) => a === CONFIG_FLAG || a.startsWith(`${CONFIG_FLAG}=`))) {
    throw new SettingError(`${CONFIG_FLAG} may be given once`);
  }
  return [...configArgs(file), ...args];
}
