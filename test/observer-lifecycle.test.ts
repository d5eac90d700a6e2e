import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { readCapture } from '@obscost/events';
import { ROOT } from '@obscost/infra';
import { programIdsOf } from '@obscost/measure';
import { PROGRAM_COUNT, stillLoaded, WRITE_LOOP } from './observer-support.js';
import {
  OBSERVER_MAIN,
  run,
  scrape,
  seriesValue,
  smallDisk,
  startApp,
  startChild,
  startObserver,
  waitFor,
  type RunningObserver,
} from './support.js';

// The observer's start and stop: what it leaves loaded, how it fails, what its capture file keeps.

/** An observer of a fresh app, stopped at the end, and the ids of the programs it loaded. */
async function observingApp(t: TestContext): Promise<{ observer: RunningObserver; ids: number[] }> {
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await startObserver(['--no-kafka', '--pid', String(app.process.pid)]);
  t.after(() => observer.stop());
  const ids = programIdsOf(observer.process.pid ?? 0);
  assert.equal(ids.length, PROGRAM_COUNT);
  return { observer, ids };
}

test('after SIGKILL no program of the observer stays loaded', async (t) => {
  const { observer, ids } = await observingApp(t);
  assert.deepEqual(stillLoaded(ids), ids);
  observer.process.kill('SIGKILL');
  await observer.exited;
  await waitFor('the kernel to drop the programs', () => stillLoaded(ids).length === 0);
});

test('SIGTERM detaches everything and exits 0', async (t) => {
  const { observer, ids } = await observingApp(t);
  assert.equal(await observer.stop(), 0);
  assert.match(observer.output(), /observer: detached and stopped/);
  assert.deepEqual(stillLoaded(ids), []);
});

test('each failure is one clear line', async (t) => {
  const app = await startApp();
  t.after(() => app.stop());
  const pid = String(app.process.pid);
  const observe = (...args: string[]) =>
    run(process.execPath, [OBSERVER_MAIN, '--port', '0', ...args]);
  const cases: [string[], number, RegExp][] = [
    [
      ['--pid', pid, '--btf', '/nonexistent/vmlinux'],
      1,
      /^observer: no kernel BTF at \/nonexistent\/vmlinux/,
    ],
    [['--pid', '4194303'], 1, /^observer: no process found for pid 4194303$/m],
    [
      ['--comm', 'no-such-comm'],
      1,
      /^observer: no process found for processes named no-such-comm$/m,
    ],
    [
      ['--pid', pid, '--uprobe-lib', '/nonexistent/lib.so'],
      1,
      /^observer: uprobe library \/nonexistent\/lib\.so does not exist$/m,
    ],
    [
      ['--pid', pid, '--uprobe-symbol', 'no_such_symbol'],
      1,
      /^observer: symbol no_such_symbol not found in /,
    ],
    [
      ['--pid', pid, '--bpf-object', path.join(ROOT, 'bpf/build/rejected.bpf.o')],
      1,
      /^observer: the BPF verifier rejected a program: .*invalid mem access/,
    ],
    [
      ['--pid', pid, '--tcp-probe', 'fentry'],
      2,
      /^observer: --tcp-probe must be auto, kprobe or tracepoint/,
    ],
  ];
  for (const [args, code, message] of cases) {
    const result = await observe(...args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const unprivileged = await run('capsh', [
    '--drop=cap_sys_admin,cap_bpf,cap_perfmon',
    '--',
    '-c',
    `exec ${process.execPath} ${OBSERVER_MAIN} --bpf-stats on --pid ${pid}`,
  ]);
  assert.equal(unprivileged.code, 1);
  assert.equal(
    unprivileged.stderr,
    'observer: missing capabilities: CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN (run as root, or grant ' +
      'them; CAP_SYS_ADMIN is for the uprobe and the BPF statistics: with --probes write,tcp ' +
      '--bpf-stats off CAP_BPF and CAP_PERFMON suffice)\n',
  );
});

test('a capture file is never replaced unless asked, and a start that fails keeps it', async (t) => {
  const app = await startApp();
  t.after(() => app.stop());
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-capture-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'run.avro');
  writeFileSync(file, 'the last capture');
  const observe = (...args: string[]) =>
    run(process.execPath, [
      OBSERVER_MAIN,
      ...['--no-kafka', '--pid', String(app.process.pid), '--capture', file, ...args],
    ]);
  const refused = await observe('--port', '0');
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(
    refused.stderr,
    `observer: capture file ${file} exists: give --overwrite-capture to replace it\n`,
  );
  const failedAttach = await observe(
    '--port',
    '0',
    '--overwrite-capture',
    '--uprobe-symbol',
    'nope',
  );
  assert.equal(failedAttach.code, 1, failedAttach.stderr);
  const busy = createServer();
  t.after(() => busy.close());
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = String((busy.address() as AddressInfo).port);
  const portInUse = await observe('--port', port, '--overwrite-capture');
  assert.equal(portInUse.code, 1, portInUse.stderr);
  assert.match(portInUse.stderr, /EADDRINUSE/);
  assert.equal(readFileSync(file, 'utf8'), 'the last capture');
});

test('a full disk under the capture file: the capture keeps whole batches, the rest is counted, nothing else stops', async (t) => {
  const writes = 50_000;
  const dir = smallDisk(t, '64k');
  const file = path.join(dir, 'run.avro');
  const producer = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
  t.after(() => producer.stop());
  const observer = await startObserver([
    ...['--no-kafka', '--pid', String(producer.pid), '--capture', file, '--probes', 'write'],
    // Batches far smaller than the disk: the first ones fit, and the capture stops part way.
    ...['--batch-bytes', '4K'],
  ]);
  t.after(() => observer.stop());
  producer.process.stdin?.end('go\n');
  assert.equal(await producer.exited, 0);
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${writes} writes counted`, async () => (await counted()) >= writes);
  assert.equal(await counted(), writes);
  await observer.waitForOutput(/capture stopped: ENOSPC/, 'the capture to stop');
  // Stopped, the file is final: it holds whole batches, which every reader decodes.
  const captured = (await readCapture(file)).reduce((sum, batch) => sum + batch.events.length, 0);
  assert.ok(captured > 0 && captured < writes, `${captured} events captured`);
  const notCaptured = () => metric('observer_capture_dropped_events_total');
  await waitFor(
    'every event captured or counted',
    async () => captured + (await notCaptured()) >= writes,
  );
  assert.equal(captured + (await notCaptured()), writes);
  assert.equal(await observer.stop(), 0, 'the observer went on to a clean stop');
});
