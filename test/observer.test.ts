import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import { SIZE_BOUNDS, sizeBucket } from '@obscost/events';
import {
  allCapabilitiesBut,
  pingAndCount,
  responsePaths,
  TCP_TRACEPOINT,
  WRITE_LOOP,
} from './observer-support.js';
import {
  benchJson,
  OBSERVER_MAIN,
  runBench,
  scrape,
  seriesValue,
  startApp,
  startChild,
  startObserver,
  waitFor,
} from './support.js';

// The observer counts exactly: what the app sent, by every probe and mode, and what it lost.
// Following targets is in observer-targets.test.ts; starting and stopping in observer-lifecycle.test.ts.

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
  assert.match(observer.output(), /TCP send probe: tp_btf\/sock_send_length \(no kprobes here\)/);

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

test('--write-probe auto: fexit where the kernel loads it, else the tracepoints and why; every write counted either way', async (t) => {
  const writes = 3000;
  const loop = startChild(WRITE_LOOP, [String(writes), '1'], { stdin: 'pipe' });
  t.after(() => loop.stop());
  const target = ['--no-kafka', '--probes', 'write', '--pid', String(loop.pid)];
  // Whether this kernel takes tracing programs: --write-probe fexit alone says.
  const fexitLoads = await startObserver([...target, '--write-probe', 'fexit']).then(
    async (observer) => {
      await observer.stop();
      return true;
    },
    (err: unknown) => {
      assert.match(String(err), /cannot load the BPF programs|cannot attach/);
      return false;
    },
  );
  const observer = await startObserver(target);
  t.after(() => observer.stop());
  const mode = fexitLoads ? 'fexit/ksys_write' : 'tracepoint/syscalls/sys_exit_write';
  const info = `observer_probe_info{probe="write",mode="${mode}"}`;
  assert.equal(seriesValue(await scrape(observer.url), info), 1);
  assert.match(
    observer.output(),
    fexitLoads
      ? /write probe: fexit\/ksys_write;/
      : /write probe: tracepoint\/syscalls\/sys_exit_write \(fexit\/ksys_write refused: .+\);/,
  );
  loop.process.stdin?.end('go\n');
  assert.equal(await loop.exited, 0);
  const counted = async () =>
    seriesValue(await scrape(observer.url), 'app_write_events_total{syscall="write",fd="other"}');
  await waitFor(`${writes} writes counted`, async () => (await counted()) >= writes);
  assert.equal(await counted(), writes);
});
