import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import { readCapture, SIZE_BOUNDS, sizeBucket } from '@obscost/events';
import { ROOT } from '@obscost/infra';
import { programIdsOf } from '@obscost/measure';
import {
  benchJson,
  OBSERVER_MAIN,
  run,
  runBench,
  scrape,
  seriesValue,
  smallDisk,
  startApp,
  startChild,
  startObserver,
  waitFor,
} from './support.js';

const WRITE_LOOP = path.join(ROOT, 'services/observer/native/build/write-loop');
/** write and writev exits, the TCP send probe, the uprobe. */
const PROGRAM_COUNT = 4;
const TCP_TRACEPOINT = 'tp_btf/sock_send_length';

/** For capsh --drop: every capability of this process's bounding set but `keep`. */
function allCapabilitiesBut(...keep: string[]): string {
  const print = execFileSync('capsh', ['--print'], { encoding: 'utf8' });
  const bounding = /^Bounding set =(.*)$/m.exec(print)?.[1] ?? '';
  return bounding
    .split(',')
    .filter((cap) => !keep.includes(cap))
    .join(',');
}

/** Of these program ids, the ones still loaded in the kernel. */
function stillLoaded(ids: number[]): number[] {
  const list = JSON.parse(
    execFileSync('bpftool', ['-j', 'prog', 'list'], { encoding: 'utf8' }),
  ) as {
    id: number;
  }[];
  const loaded = new Set(list.map((program) => program.id));
  return ids.filter((id) => loaded.has(id));
}

/** Sends `requests` /ping requests and waits until the observer counted every marker call. */
async function pingAndCount(
  appUrl: string,
  observerUrl: string,
  requests: number,
): Promise<LoadResult> {
  const bench = await runBench([
    ...['-url', `${appUrl}/ping`, '-conns', '5', '-requests', String(requests), '-json'],
  ]);
  assert.equal(bench.code, 0, bench.stderr);
  const sent = JSON.parse(bench.stdout) as LoadResult;
  assert.equal(sent.requests, requests);
  await waitFor(
    'every uprobe call',
    async () => seriesValue(await scrape(observerUrl), 'app_uprobe_calls_total') === requests,
  );
  return sent;
}

/** What the observer counted of socket writes and TCP sends, by events or bytes. */
function responsePaths(
  metrics: string,
): Record<'socketWrites' | 'tcp', (what: 'events' | 'bytes') => number> {
  const value = (series: string): number => seriesValue(metrics, series);
  return {
    socketWrites: (what) =>
      value(`app_write_${what}_total{syscall="write",fd="socket"}`) +
      value(`app_write_${what}_total{syscall="writev",fd="socket"}`),
    tcp: (what) => value(`app_tcp_send_${what}_total{probe="${TCP_TRACEPOINT}"}`),
  };
}

test('N requests: the uprobe, the writes and the TCP sends count exactly what the app sent', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-observer-'));
  const logFile = path.join(dir, 'requests.log');
  const app = await startApp({ APP_LOG_FILE: logFile });
  t.after(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const observer = await startObserver([
    ...['--no-kafka', '--bpf-stats', 'on', '--pid', String(app.process.pid)],
  ]);
  t.after(() => observer.stop());
  assert.match(observer.output(), /TCP send probe: tp_btf\/sock_send_length/);

  const requests = 500;
  const sent = await pingAndCount(app.url, observer.url, requests);
  const value = (text: string, series: string): number => seriesValue(text, series);
  await waitFor(
    'every request in the log',
    () => existsSync(logFile) && readFileSync(logFile, 'utf8').split('\n').length - 1 === requests,
  );
  const logged = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .reduce((sum, line) => sum + (JSON.parse(line) as { bytes: number }).bytes, 0);
  assert.equal(logged, sent.bytes, 'the app logged what the bench read');

  const metrics = await scrape(observer.url);
  const { socketWrites, tcp } = responsePaths(metrics);
  // Every response passes once through app_write, once through write or writev on its
  // socket, and once through a TCP send: the bytes are the same everywhere.
  assert.equal(value(metrics, 'app_uprobe_calls_total'), requests);
  assert.equal(value(metrics, 'app_uprobe_bytes_total'), logged);
  assert.equal(socketWrites('bytes'), logged);
  assert.equal(tcp('bytes'), logged);
  assert.equal(tcp('events'), socketWrites('events'), 'one TCP send per socket write');
  assert.ok(socketWrites('events') >= requests);
  assert.ok(
    value(metrics, 'app_write_bytes_total{syscall="write",fd="other"}') > 0,
    'the log file is written too',
  );
  assert.equal(value(metrics, 'observer_kernel_drops_total{kind="uprobe"}'), 0);
  assert.match(metrics, /^observer_bpf_program_runs_total\{program="app_write_uprobe"\} 500$/m);
});

test('--mode count: N requests counted in the kernel, exactly, with their size histograms', async (t) => {
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await startObserver(['--mode', 'count', '--pid', String(app.process.pid)]);
  t.after(() => observer.stop());
  assert.match(observer.output(), /mode: count/);

  const requests = 500;
  const sent = await pingAndCount(app.url, observer.url, requests);
  const value = (text: string, series: string): number => seriesValue(text, series);
  const metrics = await scrape(observer.url);
  const { socketWrites, tcp } = responsePaths(metrics);
  // The same relations as in ring mode: every response once through the marker, once
  // through a socket write and once through a TCP send.
  assert.equal(value(metrics, 'app_uprobe_bytes_total'), sent.bytes);
  assert.equal(socketWrites('bytes'), sent.bytes);
  assert.equal(tcp('bytes'), sent.bytes);
  assert.equal(tcp('events'), socketWrites('events'), 'one TCP send per socket write');

  // /ping's responses are all one size: every marker call in its bucket and the ones above.
  const size = sent.bytes / requests;
  assert.ok(Number.isInteger(size), 'every /ping response has the same size');
  for (const [bucket, bound] of [...SIZE_BOUNDS.map(String), '+Inf'].entries()) {
    const expected = bucket >= sizeBucket(size) ? requests : 0;
    assert.equal(
      value(metrics, `app_uprobe_size_bytes_bucket{le="${bound}"}`),
      expected,
      `le=${bound}`,
    );
  }
  assert.equal(value(metrics, 'app_uprobe_size_bytes_count'), requests);
  assert.equal(value(metrics, 'app_uprobe_size_bytes_sum'), sent.bytes);
  assert.equal(
    value(metrics, `app_tcp_send_size_bytes_count{probe="${TCP_TRACEPOINT}"}`),
    tcp('events'),
  );
  // Nothing goes through the ring buffer, so nothing of it is reported.
  assert.doesNotMatch(metrics, /^observer_(kernel_drops|decode_errors|ring_buffer)/m);
});

test('APP_MARKER=plain: the breakpoint uprobe on app_write_plain counts every call exactly', async (t) => {
  const app = await startApp({ APP_MARKER: 'plain' });
  t.after(() => app.stop());
  const observer = await startObserver([
    ...['--no-kafka', '--pid', String(app.process.pid)],
    ...['--uprobe-symbol', 'app_write_plain'],
  ]);
  t.after(() => observer.stop());
  assert.match(observer.output(), /uprobe: app_write_plain in /);

  const requests = 300;
  const sent = await benchJson([
    ...['-url', `${app.url}/ping`, '-conns', '3', '-requests', String(requests)],
  ]);
  assert.equal(sent.requests, requests);
  await waitFor(
    'every uprobe call',
    async () => seriesValue(await scrape(observer.url), 'app_uprobe_calls_total') >= requests,
  );
  const metrics = await scrape(observer.url);
  assert.equal(seriesValue(metrics, 'app_uprobe_calls_total'), requests);
  assert.equal(seriesValue(metrics, 'app_uprobe_bytes_total'), sent.bytes);
});

test('with --probes write,tcp, CAP_BPF and CAP_PERFMON alone count exactly', async (t) => {
  const app = await startApp();
  t.after(() => app.stop());
  const observer = startChild('capsh', [
    `--drop=${allCapabilitiesBut('cap_bpf', 'cap_perfmon')}`,
    '--',
    '-c',
    `exec ${process.execPath} ${OBSERVER_MAIN} --port 0 --no-kafka --probes write,tcp --pid ${app.process.pid}`,
  ]);
  t.after(() => observer.stop());
  const [, url = ''] = await observer.waitForOutput(/metrics on (http:\/\/\S+)/, 'the observer');
  const capEff = /^CapEff:\s*(\S+)$/m.exec(readFileSync(`/proc/${observer.pid}/status`, 'utf8'));
  assert.equal(capEff?.[1], '000000c000000000', 'CAP_BPF and CAP_PERFMON, nothing else');

  const requests = 300;
  const args = ['-conns', '3', '-requests', String(requests), '-json'];
  const bench = await runBench(['-url', `${app.url}/ping`, ...args]);
  assert.equal(bench.code, 0, bench.stderr);
  const sent = JSON.parse(bench.stdout) as LoadResult;
  assert.equal(sent.requests, requests);
  const tcp = (what: string) => `app_tcp_send_${what}_total{probe="${TCP_TRACEPOINT}"}`;
  await waitFor(
    'every byte',
    async () => seriesValue(await scrape(url), tcp('bytes')) === sent.bytes,
  );
  const metrics = await scrape(url);
  assert.equal(seriesValue(metrics, 'observer_bpf_stats_enabled'), 0, 'and says so');
  const socketWrites = (what: string) =>
    seriesValue(metrics, `app_write_${what}_total{syscall="write",fd="socket"}`) +
    seriesValue(metrics, `app_write_${what}_total{syscall="writev",fd="socket"}`);
  assert.equal(socketWrites('bytes'), sent.bytes);
  assert.equal(seriesValue(metrics, tcp('events')), socketWrites('events'));
  assert.ok(socketWrites('events') >= requests);
  // Neither the uprobe nor the statistics (off by default): their series are absent, not zero.
  assert.doesNotMatch(metrics, /^(app_uprobe_|observer_bpf_program_)/m);
  assert.equal(await observer.stop(), 0);
});

test('--comm: two targets through the map, then one alone by the compare, every write counted', async (t) => {
  const writes = 20_000;
  const loops: ReturnType<typeof startChild>[] = [];
  const startLoop = () => {
    const loop = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
    loops.push(loop);
    return loop;
  };
  t.after(() => Promise.all(loops.map((loop) => loop.stop())));
  const both = [startLoop(), startLoop()];
  await waitFor('both loops to start', () => both.every((loop) => loop.pid !== undefined));
  const observer = await startObserver(['--no-kafka', '--comm', 'write-loop']);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  const run = async (group: ReturnType<typeof startChild>[], targets: number, total: number) => {
    await waitFor(`${targets} targets`, async () => (await metric('observer_targets')) === targets);
    for (const loop of group) loop.process.stdin?.end('go\n');
    for (const loop of group) assert.equal(await loop.exited, 0);
    await waitFor(`${total} writes counted`, async () => (await counted()) >= total);
    assert.equal(await counted(), total);
  };
  await run(both, 2, 2 * writes);
  // Both gone, the follower forgets them; a third loop is then the one target.
  await waitFor('no target', async () => (await metric('observer_targets')) === 0);
  await run([startLoop()], 1, 3 * writes);
});

test('a 65th process of the name: 64 followed, one refused and counted, followed once one exits', async (t) => {
  const MAX_TARGETS = 64;
  const writes = 1000;
  const loops = Array.from({ length: MAX_TARGETS + 1 }, () =>
    startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' }),
  );
  t.after(() => Promise.all(loops.map((loop) => loop.stop())));
  await waitFor('every loop to start', () => loops.every((loop) => loop.pid !== undefined));
  const observer = await startObserver(['--no-kafka', '--comm', 'write-loop', '--probes', 'write']);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  const refusedFull = 'observer_targets_refused_total{reason="targets_full"}';
  assert.equal(await metric('observer_targets'), MAX_TARGETS);
  assert.equal(await metric(refusedFull), 1);
  const refusedPid = Number(
    (await observer.waitForOutput(/not following pid (\d+) \(write-loop\)/, 'the refusal'))[1],
  );
  const refused = loops.find((loop) => loop.pid === refusedPid);
  assert.ok(refused);
  // Two followed loops exit: 63 targets means the refused one is in (62 if it were not).
  await Promise.all(
    loops
      .filter((loop) => loop !== refused)
      .slice(0, 2)
      .map((loop) => loop.stop()),
  );
  await waitFor(
    'the refused process followed',
    async () => (await metric('observer_targets')) === 63,
  );
  refused.process.stdin?.end('go\n');
  assert.equal(await refused.exited, 0);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${writes} writes counted`, async () => (await counted()) >= writes);
  assert.equal(await counted(), writes);
  assert.equal(await metric(refusedFull), 1, 'counted once, though tried at every re-resolve');
  assert.equal(observer.output().match(/not following pid/g)?.length, 1, 'logged once');
});

test("--uid: another user's process of the name is refused and counted; a pid file of another user is refused", async (t) => {
  const writes = 2000;
  const mine = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
  const theirs = startChild(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', WRITE_LOOP, String(writes), '1'],
    { stdin: 'pipe' },
  );
  t.after(() => Promise.all([mine.stop(), theirs.stop()]));
  await waitFor('both loops to start', () => mine.pid !== undefined && theirs.pid !== undefined);
  const observer = await startObserver([
    ...['--no-kafka', '--comm', 'write-loop', '--uid', '0', '--probes', 'write'],
  ]);
  t.after(() => observer.stop());
  const metric = async (series: string) => seriesValue(await scrape(observer.url), series);
  assert.equal(await metric('observer_targets'), 1);
  assert.equal(await metric('observer_targets_refused_total{reason="other_uid"}'), 1);
  for (const loop of [mine, theirs]) loop.process.stdin?.end('go\n');
  for (const loop of [mine, theirs]) assert.equal(await loop.exited, 0);
  const counted = () => metric('app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${writes} writes counted`, async () => (await counted()) >= writes);
  assert.equal(await counted(), writes, "root's loop alone");

  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-pidfile-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const pidfile = path.join(dir, 'app.pid');
  writeFileSync(pidfile, `${process.pid}\n`);
  chownSync(pidfile, 65534, 65534);
  const refused = await run(process.execPath, [OBSERVER_MAIN, '--port', '0', '--pidfile', pidfile]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    `observer: pid file ${pidfile} is owned by uid 65534: only one owned by root is trusted\n`,
  );
});

test('a flooded small ring buffer: kernel drops == events generated - events delivered', async (t) => {
  const writes = 200_000;
  const producer = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
  t.after(() => producer.stop());
  const observer = await startObserver([
    '--no-kafka',
    ...['--pid', String(producer.pid), '--ring-buffer-size', '4K', '--max-poll-interval', '50'],
  ]);
  t.after(() => observer.stop());
  producer.process.stdin?.end('go\n');
  assert.equal(await producer.exited, 0);

  let delivered = 0;
  let dropped = 0;
  await waitFor('every event delivered or dropped', async () => {
    const metrics = await scrape(observer.url);
    delivered = seriesValue(metrics, 'app_write_events_total{syscall="write",fd="other"}');
    dropped = seriesValue(metrics, 'observer_kernel_drops_total{kind="write"}');
    return delivered + dropped >= writes;
  });
  assert.ok(dropped > 0, 'a 4 KiB ring buffer overflows');
  assert.equal(delivered + dropped, writes);
  const metrics = await scrape(observer.url);
  assert.equal(
    seriesValue(metrics, 'observer_decode_errors_total{reason="size"}'),
    0,
    'no torn record read',
  );
  assert.equal(seriesValue(metrics, 'observer_ring_buffer_used_bytes'), 0);
});

test('after SIGKILL no program of the observer stays loaded', async (t) => {
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await startObserver(['--no-kafka', '--pid', String(app.process.pid)]);
  t.after(() => observer.stop());
  const ids = programIdsOf(observer.process.pid ?? 0);
  assert.equal(ids.length, PROGRAM_COUNT);
  assert.deepEqual(stillLoaded(ids), ids);
  observer.process.kill('SIGKILL');
  await observer.exited;
  await waitFor('the kernel to drop the programs', () => stillLoaded(ids).length === 0);
});

test('SIGTERM detaches everything and exits 0', async (t) => {
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await startObserver(['--no-kafka', '--pid', String(app.process.pid)]);
  t.after(() => observer.stop());
  const ids = programIdsOf(observer.process.pid ?? 0);
  assert.equal(ids.length, PROGRAM_COUNT);
  assert.equal(await observer.stop(), 0);
  assert.match(observer.output(), /observer: detached and stopped/);
  assert.deepEqual(stillLoaded(ids), []);
});

test('--pidfile follows the target when it restarts', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-pidfile-'));
  const pidfile = path.join(dir, 'app.pid');
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const first = await startApp();
  t.after(() => first.stop());
  writeFileSync(pidfile, `${first.process.pid}\n`);
  const observer = await startObserver(['--no-kafka', '--pidfile', pidfile]);
  t.after(() => observer.stop());
  await runBench(['-url', `${first.url}/ping`, '-conns', '2', '-requests', '30']);
  await first.stop();
  const second = await startApp();
  t.after(() => second.stop());
  writeFileSync(pidfile, `${second.process.pid}\n`);
  await waitFor('the new pid attached', async () => {
    await runBench(['-url', `${second.url}/ping`, '-conns', '1', '-requests', '1']);
    return seriesValue(await scrape(observer.url), 'app_uprobe_calls_total') > 30;
  });
  const before = seriesValue(await scrape(observer.url), 'app_uprobe_calls_total');
  await runBench(['-url', `${second.url}/ping`, '-conns', '2', '-requests', '40']);
  await waitFor(
    '40 more calls',
    async () => seriesValue(await scrape(observer.url), 'app_uprobe_calls_total') === before + 40,
  );
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
