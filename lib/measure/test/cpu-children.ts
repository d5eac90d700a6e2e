import { startChild, type Child } from '@obscost/process';

/** Spins until this process (every thread of it) has used `us` more microseconds of CPU. */
const SPIN = `const spin = (us) => {
  const start = process.cpuUsage();
  for (let used = 0; used < us; ) {
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
};`;

/** What a spinning child runs besides its main thread, each of which exits once it is done. */
export interface Spinners {
  worker: boolean;
  grandchild: boolean;
}

/**
 * A child that says `ready`, and on a line of stdin spins `spinUs` in a worker thread, then
 * `spinUs` in a grandchild (each if asked), then `spinUs` in its main thread; then prints
 * its own CPU time since the line and the grandchild's whole life's, in microseconds, as
 * JSON, and idles until stopped.
 */
export function startSpinningChild(spinUs: number, { worker, grandchild }: Spinners): Child {
  const script = `${SPIN}
const { Worker } = require('node:worker_threads');
const { execFileSync } = require('node:child_process');
setInterval(() => {}, 60_000);
let started = false;
process.stdin.on('data', async () => {
  if (started) return;
  started = true;
  const start = process.cpuUsage();
  if (${worker}) await new Promise((exited) =>
    new Worker(${JSON.stringify(SPIN)} + 'spin(${spinUs})', { eval: true }).once('exit', exited));
  const grandchildUs = ${grandchild}
    ? Number(execFileSync(process.execPath, ['-e', ${JSON.stringify(SPIN)} +
        'spin(${spinUs}); const u = process.cpuUsage(); console.log(u.user + u.system)']))
    : 0;
  spin(${spinUs});
  const own = process.cpuUsage(start);
  console.log(JSON.stringify({ ownUs: own.user + own.system, grandchildUs }));
});
console.log('ready');`;
  return startChild(process.execPath, ['-e', script], { stdin: 'pipe' });
}

/** What a spinning child printed once done, in nanoseconds. */
export interface SpunCpu {
  ownNs: number;
  grandchildNs: number;
}

/** Starts the spinning and waits for the child's figures. */
export async function spin(child: Child): Promise<SpunCpu> {
  child.process.stdin?.write('go\n');
  const [line] = await child.waitForOutput(/^\{.*\}$/m, 'the spin to end', 60_000);
  const { ownUs, grandchildUs } = JSON.parse(line) as { ownUs: number; grandchildUs: number };
  return { ownNs: ownUs * 1000, grandchildNs: grandchildUs * 1000 };
}
