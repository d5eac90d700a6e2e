import { SettingError } from './rules.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration as Go's time.ParseDuration does ("20s", "1m30s", "1.5s", "250ms"),
 * returning milliseconds. A bare number is refused: the seed's flags always carry a unit.
 */
export function parseDuration(text: string): number {
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let offset = 0;
  while (offset < text.length) {
    pattern.lastIndex = offset;
    const match = pattern.exec(text);
    if (!match) break;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? NaN);
    offset = pattern.lastIndex;
  }
  if (text === '' || offset !== text.length || !Number.isFinite(total)) {
    throw new SettingError(
      `invalid duration ${JSON.stringify(text)}: use a number with a unit, e.g. 500ms, 20s, 1m30s`,
    );
  }
  return total;
}

/**
 * A duration setting's rule (`setting.custom`): longer than zero unless `zero` is allowed (0s
 * to turn something off), the message naming it.
 */
export function durationRule(name: string, text: string, { zero = false } = {}): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw err instanceof SettingError ? new SettingError(`${name}: ${err.message}`) : err;
  }
  if (ms < 0 || (ms === 0 && !zero)) {
    throw new SettingError(`${name} must be longer than zero, got ${text}`);
  }
  return ms;
}

/** Formats milliseconds the way parseDuration reads them, e.g. 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return (
    (hours > 0 ? `${hours}h` : '') +
    (minutes > 0 ? `${minutes}m` : '') +
    (seconds > 0 || (hours === 0 && minutes === 0) ? `${seconds}s` : '')
  );
}
