import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The lines of `command`'s stdout as they come, none kept: for output too large to hold (perf
 * script prints tens of megabytes of stacks). Once the lines end, a command that failed throws,
 * naming its exit code and what it printed on stderr. A reader that stops early stops the
 * command too.
 */
export async function* stdoutLines(
  command: string,
  args: readonly string[],
  { env = {} }: { env?: NodeJS.ProcessEnv } = {},
): AsyncGenerator<string, void, undefined> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  // A failed spawn rejects while the lines are still being read: it is awaited below.
  closed.catch(() => undefined);
  try {
    yield* createInterface({ input: child.stdout, crlfDelay: Infinity });
    const code = await closed;
    if (code !== 0) {
      throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}
