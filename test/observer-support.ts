/** What the observer's integration tests share: the write loop, the programs, the counts. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { LoadResult } from '@obscost/bench';
import { ROOT } from '@obscost/infra';
import { runBench, scrape, seriesValue, waitFor } from './support.js';

export const WRITE_LOOP = path.join(ROOT, 'services/observer/native/build/write-loop');
/** write and writev exits, the TCP send probe, the uprobe. */
export const PROGRAM_COUNT = 4;
export const TCP_TRACEPOINT = 'tp_btf/sock_send_length';

/** For capsh --drop: every capability of this process's bounding set but `keep`. */
export function allCapabilitiesBut(...keep: string[]): string {
  const print = execFileSync('capsh', ['--print'], { encoding: 'utf8' });
  const bounding = /^Bounding set =(.*)$/m.exec(print)?.[1] ?? '';
  return bounding
    .split(',')
    .filter((cap) => !keep.includes(cap))
    .join(',');
}

/** Of these program ids, the ones still loaded in the kernel. */
export function stillLoaded(ids: number[]): number[] {
  const list = JSON.parse(
    execFileSync('bpftool', ['-j', 'prog', 'list'], { encoding: 'utf8' }),
  ) as {
    id: number;
  }[];
  const loaded = new Set(list.map((program) => program.id));
  return ids.filter((id) => loaded.has(id));
}

/** Sends `requests` /ping requests and waits until the observer counted every marker call. */
export async function pingAndCount(
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
export function responsePaths(
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
