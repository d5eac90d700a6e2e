import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { processCpuNs } from '@obscost/measure';
import { startChild, type Child } from '@obscost/process';
import { buildServer } from '../src/server.js';
import { HttpMetrics } from '../src/metrics.js';
import { cpuBurner } from '../src/burn.js';

const MAIN = path.resolve(import.meta.dirname, '../src/main.js');
const BURN_US = 2000;
const WARM_UP_REQUESTS = 100;
const MEASURED_REQUESTS = 200;
/** How far two fresh apps' CPU a request may differ, as a share of it (measured: up to 10%). */
const FRESH_APP_SPREAD = 0.2;

function processCpuMicroseconds(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function startApp(env: NodeJS.ProcessEnv): Promise<{ child: Child; url: string }> {
  const child = startChild(process.execPath, [MAIN], {
    env: { PORT: '0', APP_MARKER: 'off', ...env },
  });
  const match = await child.waitForOutput(/app listening on (\S+)/, 'the app to listen');
  return { child, url: `${match[1]}/ping` };
}

test('a burner spends at least the CPU time asked', () => {
  const before = processCpuMicroseconds();
  cpuBurner(5000)();
  assert.ok(processCpuMicroseconds() - before >= 5000);
});

test('APP_BURN_US burns before every response, unknown paths included', async (t) => {
  const app = buildServer({ metrics: new HttpMetrics(), burn: cpuBurner(3000) });
  t.after(() => app.close());
  for (const url of ['/ping', '/no-such-path']) {
    const before = processCpuMicroseconds();
    await app.inject(url);
    assert.ok(processCpuMicroseconds() - before >= 3000, url);
  }
});

test(
  'the real app with APP_BURN_US=2000 costs 2 ms of CPU a request more than without, less the apps’ spread',
  {
    timeout: 60_000,
  },
  async (t) => {
    const plain = await startApp({});
    t.after(() => plain.child.stop());
    const burning = await startApp({ APP_BURN_US: String(BURN_US) });
    t.after(() => burning.child.stop());
    const apps = [plain, burning];
    // Requests alternate between the two apps, so both see the same machine all along.
    const serve = async (requests: number): Promise<void> => {
      for (let i = 0; i < requests; i++) {
        for (const { url } of apps) assert.equal((await fetch(url)).status, 200);
      }
    };
    await serve(WARM_UP_REQUESTS);
    const cpu = (): number[] => apps.map(({ child }) => processCpuNs(child.pid ?? 0) / 1000);
    const before = cpu();
    await serve(MEASURED_REQUESTS);
    const after = cpu();
    const [plainUs, burningUs] = after.map((us, i) => (us - (before[i] ?? 0)) / MEASURED_REQUESTS);
    t.diagnostic(
      `CPU a request: ${plainUs?.toFixed(1)} µs plain, ${burningUs?.toFixed(1)} µs burning`,
    );
    assert.ok(plainUs !== undefined && burningUs !== undefined);
    // The burn itself is exact (the test above); what is left is the spread between two fresh
    // apps' own CPU a request, about ±10% on this machine (docs/statistics.md), so the bound
    // allows for that much and no more.
    const bound = BURN_US - FRESH_APP_SPREAD * plainUs;
    assert.ok(burningUs - plainUs >= bound, `${burningUs} - ${plainUs} < ${bound}`);
  },
);
