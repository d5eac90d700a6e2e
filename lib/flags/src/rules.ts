/**
 * A value refused by a rule. The message names the flag or variable, what is allowed and
 * what was given; parseSettings turns it into the service's own usage error.
 */
export class SettingError extends Error {
  override name = 'SettingError';
}

export function integerRule(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new SettingError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** A count of at least one (connections, requests, rounds), as large as is exact. */
export function positiveIntegerRule(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new SettingError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Bytes in `64K`, `16M`, `1G` or `4096`; NaN for anything else. */
export function bytesOf(text: string): number {
  const match = /^(\d+)([KMG]?)$/i.exec(text);
  return match ? Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toUpperCase()] ?? NaN) : NaN;
}

export function sizeRule(name: string, text: string, min: number, max: number): number {
  const bytes = bytesOf(text);
  if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max) {
    throw new SettingError(
      `${name} must be a size from ${min} to ${max} bytes (e.g. 64K, 16M), got "${text}"`,
    );
  }
  return bytes;
}

/** `host:port[,host:port...]`, as kafkajs takes them. */
export function brokersRule(name: string, text: string): string[] {
  const brokers = text.split(',').map((b) => b.trim());
  for (const broker of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(broker)) {
      throw new SettingError(`${name} must be host:port[,host:port...], got "${text}"`);
    }
  }
  return brokers;
}

/** What Kafka accepts as a topic name. */
export function topicRule(name: string, text: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(text)) {
    throw new SettingError(`${name} must be a Kafka topic name, got "${text}"`);
  }
  return text;
}

/** One of a few words; the message lists them. */
export function choiceRule<C extends string>(name: string, text: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(text)) {
    const allowed =
      choices.length < 3
        ? choices.join(' or ')
        : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1) ?? ''}`;
    throw new SettingError(`${name} must be ${allowed}, got "${text}"`);
  }
  return text as C;
}

/**
 * A comma-separated list of some of `choices`, at least one, returned in the order of
 * `choices` and each once. `what` names one choice in messages (scenario, probe).
 */
export function choiceListRule<C extends string>(
  name: string,
  text: string,
  choices: readonly C[],
  what: string,
): C[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new SettingError(`${name} names no ${what}`);
  for (const chosen of names) {
    if (!(choices as readonly string[]).includes(chosen)) {
      throw new SettingError(`${name}: unknown ${what} "${chosen}": one of ${choices.join(', ')}`);
    }
  }
  return choices.filter((c) => names.includes(c));
}

export function urlRule(name: string, text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new SettingError(`${name} must be a URL, got "${text}"`);
  }
}

/** A positive number, fractions allowed (a rate). */
export function positiveNumberRule(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new SettingError(`${name} must be a positive number, got "${text}"`);
  }
  return value;
}
