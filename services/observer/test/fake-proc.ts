import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { ProcessName } from '@obscost/events';
import { TargetFollower } from '../src/follow.js';
import { requireTargets, type TargetSpec } from '../src/targets.js';
import { FakeKernel } from './fakes.js';

/** A /proc of the test's own: processes come and go as directories with a stat and a comm. */
export function fakeProc(t: TestContext) {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-follow-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const proc = path.join(dir, 'proc');
  mkdirSync(proc);
  return {
    proc,
    pidfile: path.join(dir, 'app.pid'),
    /** A process: its stat line with its parent and start time (fields 4, 22), its comm, and its uid. */
    start(pid: number, comm: string, { started = 1000, uid = 0, parent = 0 } = {}): void {
      const stat = [`${pid} (${comm}) S`, parent, ...new Array<number>(17).fill(0), started].join(
        ' ',
      );
      mkdirSync(path.join(proc, String(pid)));
      writeFileSync(path.join(proc, String(pid), 'stat'), stat);
      writeFileSync(path.join(proc, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(
        path.join(proc, String(pid), 'status'),
        `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`,
      );
    },
    /** Exited, not yet reaped: the entry stays, its state says Z. */
    zombie(pid: number): void {
      const file = path.join(proc, String(pid), 'stat');
      writeFileSync(file, readFileSync(file, 'utf8').replace(') S ', ') Z '));
    },
    exit(pid: number): void {
      rmSync(path.join(proc, String(pid)), { recursive: true });
    },
  };
}

export function follower(spec: TargetSpec, proc: string) {
  const kernel = new FakeKernel();
  const names: ProcessName[][] = [];
  const targets = new TargetFollower(spec, kernel, (n) => names.push(n), { proc });
  targets.add(requireTargets(spec, proc));
  return { targets, calls: kernel.calls, names };
}
