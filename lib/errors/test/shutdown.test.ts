import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { EXIT, onShutdown, SHUTDOWN_SIGNALS, type ShutdownOptions } from '../src/index.js';

test('the handler runs once, on the first signal, and the disposer removes the listeners', () => {
  const before = SHUTDOWN_SIGNALS.map((s) => process.listenerCount(s));
  const received: string[] = [];
  const dispose = onShutdown(SHUTDOWN_SIGNALS, (signal) => received.push(signal), {
    again: 'ignore',
  });
  process.emit('SIGTERM', 'SIGTERM');
  process.emit('SIGINT', 'SIGINT');
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(received, ['SIGTERM']);
  dispose();
  assert.deepEqual(
    SHUTDOWN_SIGNALS.map((s) => process.listenerCount(s)),
    before,
  );
});

/**
 * How a process that takes half a second to shut down ends when sent `signals`: the first,
 * then, once its shutdown has begun, the others.
 */
async function ending(
  signals: NodeJS.Signals[],
  options: ShutdownOptions,
): Promise<{ output: string; code: number | null; signal: NodeJS.Signals | null }> {
  const library = new URL('../src/index.js', import.meta.url).href;
  const program = `
    import { EXIT, onShutdown } from ${JSON.stringify(library)};
    const alive = setInterval(() => undefined, 1000);
    const dispose = onShutdown(['SIGTERM', 'SIGINT'], (signal) => {
      process.stdout.write(\`stopping on \${signal}\\n\`);
      setTimeout(() => {
        clearInterval(alive);
        dispose();
        process.stdout.write('stopped\\n');
        process.exitCode = EXIT.interrupted;
      }, 500);
    }, ${JSON.stringify(options)});
    process.stdout.write('ready\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const lines: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const wake of lines.splice(0)) wake();
  });
  const printed = async (text: string): Promise<void> => {
    while (!output.includes(text)) await new Promise<void>((wake) => lines.push(wake));
  };
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await printed('ready');
  const [first, ...later] = signals;
  child.kill(first);
  await printed('stopping on');
  for (const signal of later) child.kill(signal);
  const [code, signal] = await exited;
  return { output, code, signal };
}

test('by default the same signal again ends the process, as a second Ctrl-C should', async () => {
  const { output, signal } = await ending(['SIGINT', 'SIGINT'], {});
  assert.equal(signal, 'SIGINT');
  assert.equal(output, 'ready\nstopping on SIGINT\n');
});

test('by default another signal than the first is ignored while shutdown runs', async () => {
  const { output, code } = await ending(['SIGINT', 'SIGTERM'], {});
  assert.equal(code, EXIT.interrupted);
  assert.equal(output, 'ready\nstopping on SIGINT\nstopped\n');
});

test("with again: 'ignore', no later signal cuts the shutdown short", async () => {
  const { output, code } = await ending(['SIGINT', 'SIGINT', 'SIGTERM'], { again: 'ignore' });
  assert.equal(code, EXIT.interrupted);
  assert.equal(output, 'ready\nstopping on SIGINT\nstopped\n');
});
