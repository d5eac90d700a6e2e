import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Linux's default ephemeral range, when /proc does not say. */
const DEFAULT_EPHEMERAL: readonly [number, number] = [32768, 60999];

/** The range the kernel picks a connecting socket's local port from. */
function ephemeralRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return [low, high];
  } catch {
    // Not Linux, or no /proc: the default range.
  }
  return DEFAULT_EPHEMERAL;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * `count` distinct ports that nothing listens on now, from below the ephemeral range. A port
 * from inside it (what listen(0) gives) can be taken, between being found and being used, by
 * any connecting socket, and by a client retrying a server that is down: connecting to
 * 127.0.0.1:P can pick P itself as the local port and connect to itself (TCP simultaneous
 * open), holding P, so the server cannot come back on it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const [ephemeralLow] = ephemeralRange();
  const high = ephemeralLow - 1;
  const low = Math.max(1024, high - 12_000);
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count; attempts++) {
    if (attempts > 1000) throw new Error(`no ${count} free ports between ${low} and ${high}`);
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (!ports.has(port) && (await bindable(port))) ports.add(port);
  }
  return [...ports];
}
