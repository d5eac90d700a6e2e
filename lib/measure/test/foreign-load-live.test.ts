import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runToEnd } from '@obscost/process';
import { cpuBusySnapshot } from '../src/cpu-busy.js';
import { planCpus } from '../src/cpus.js';
import { foreignLoad } from '../src/foreign-load.js';

const SPIN_US = 400_000;

test(
  "a spinner pinned to the app's CPU, not one of the run's own, is foreign load there",
  { skip: planCpus().app.length === 0 && 'one CPU: no sides', timeout: 60_000 },
  async () => {
    const sides = planCpus();
    const before = cpuBusySnapshot();
    const spinner = await runToEnd('taskset', [
      '-c',
      sides.app.join(','),
      process.execPath,
      '-e',
      `const start = process.cpuUsage();
       for (let u = start; u.user + u.system < ${SPIN_US}; ) u = process.cpuUsage(start);
       const whole = process.cpuUsage();
       console.log(whole.user + whole.system);`,
    ]);
    const after = cpuBusySnapshot();
    assert.equal(spinner.code, 0, spinner.stderr);
    const spinnerNs = Number(spinner.stdout) * 1000;
    const load = foreignLoad(before, after, sides, []);
    // /proc/stat samples at the tick: most of the spinner, and whatever else ran there.
    assert.ok(
      load.app.foreignNs >= 0.75 * spinnerNs,
      `${load.app.foreignNs} < 0.75 × ${spinnerNs}`,
    );
    assert.ok(load.app.foreignShare > 0.5 && load.app.foreignShare <= 1);
  },
);
