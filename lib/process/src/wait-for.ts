import { connect } from 'node:net';

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` until it holds. After `timeoutMs` it fails naming `what` it waited for,
 * so a test or a start that gives up says why, even while a check is still pending (a fetch
 * that never answers). A condition that throws ends the wait with that error (a process that
 * exited will never print its URL).
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  intervalMs = 20,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
  });
  try {
    while (!(await Promise.race([condition(), expired]))) {
      await Promise.race([sleep(intervalMs), expired]);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Whether something accepts TCP connections on host:port now. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
