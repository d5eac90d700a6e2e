/** The flag rules as the services called them before the settings tables; removed once none does. */
/** A bad flag or setting: one line naming it, and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Bytes in `64K`, `16M`, `1G` or `4096`; NaN for anything else. */
export function bytesOf(text: string): number {
  const match = /^(\d+)([KMG]?)$/i.exec(text);
  return match ? Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toUpperCase()] ?? NaN) : NaN;
}

export function sizeFlag(flag: string, text: string, min: number, max: number): number {
  const bytes = bytesOf(text);
  if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max) {
    throw new UsageError(
      `--${flag} must be a size from ${min} to ${max} bytes (e.g. 64K, 16M), got "${text}"`,
    );
  }
  return bytes;
}

/** `host:port[,host:port...]`, as kafkajs takes them. */
export function brokersFlag(flag: string, text: string): string[] {
  const brokers = text.split(',').map((b) => b.trim());
  for (const broker of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(broker)) {
      throw new UsageError(`--${flag} must be host:port[,host:port...], got "${text}"`);
    }
  }
  return brokers;
}

/** What Kafka accepts as a topic name. */
export function topicFlag(flag: string, text: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(text)) {
    throw new UsageError(`--${flag} must be a Kafka topic name, got "${text}"`);
  }
  return text;
}
