import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freeStackPorts, type Counts } from '@obscost/infra';
import { freePorts, INFRA_CLI, run } from './support.js';

export { queryCounts as query, type Counts } from '@obscost/infra';

/** The request counts every approach must reach, once every pipeline has delivered. */
export function expectedRequests(requests: number): Counts {
  return {
    'app/app': requests,
    'sidecar/collector': requests,
    'otel_sdk/collector': requests,
    'ebpf_uprobe/observer': requests,
    'ebpf_uprobe/aggregator': requests,
  };
}

/** The ports Prometheus scrapes; each one not given is a free, silent port. */
export interface Targets {
  app?: number;
  observer?: number;
  aggregator?: number;
  collector?: { prometheus: number; telemetry: number };
}

/**
 * A Prometheus of the test's own, infra's component with the recording rules, scraping the
 * given ports; every other infrastructure port is a free one, so `down` meets nothing else.
 * Gone after `t`.
 */
export async function ownPrometheus(t: TestContext, targets: Targets = {}): Promise<string> {
  const [prometheus = 0] = await freePorts(1);
  const env: NodeJS.ProcessEnv = {
    OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-prometheus-')),
    ...(await freeStackPorts()),
    PROMETHEUS_PORT: String(prometheus),
    ...(targets.app && { APP_METRICS_PORT: String(targets.app) }),
    ...(targets.observer && { OBSERVER_PORT: String(targets.observer) }),
    ...(targets.aggregator && { AGGREGATOR_PORT: String(targets.aggregator) }),
    ...(targets.collector && {
      COLLECTOR_PROMETHEUS_PORT: String(targets.collector.prometheus),
      COLLECTOR_TELEMETRY_PORT: String(targets.collector.telemetry),
    }),
  };
  t.after(async () => {
    await run(process.execPath, [INFRA_CLI, 'down'], env);
    rmSync(env.OBSCOST_WORK_DIR ?? '', { recursive: true, force: true });
  });
  const up = await run(process.execPath, [INFRA_CLI, 'up', 'prometheus'], env);
  assert.equal(up.code, 0, up.stderr);
  return `http://127.0.0.1:${prometheus}`;
}

export const portOf = (url: string): number => Number(new URL(url).port);

/**
 * A TCP relay to `target` that remembers how many bytes the app had written through it after
 * each chunk, the kernel counting those writes too: the app is the `upstream` when a client
 * scrapes it, the `client` when it exports to the target.
 */
export async function countingRelay(
  t: TestContext,
  target: number,
  app: 'upstream' | 'client',
): Promise<{ port: number; sent: Set<number> }> {
  const sent = new Set([0]);
  let total = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    (app === 'upstream' ? upstream : client).on('data', (chunk: Buffer) => {
      total += chunk.length;
      sent.add(total);
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.close();
    for (const socket of sockets) socket.destroy();
  });
  return { port: (server.address() as AddressInfo).port, sent };
}

/** Whether `value` is one of `a` plus one of `b`: two relays' totals at the same moment. */
export function sumOfTwo(value: number, a: Set<number>, b: Set<number>): boolean {
  for (const x of a) if (b.has(value - x)) return true;
  return false;
}

/** A fresh directory for the request log, removed at the end. */
export function logFileFor(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-like-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return path.join(dir, 'requests.log');
}
