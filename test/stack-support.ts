import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freeStackPorts, RELATIONS, STACK_CLI_MAIN } from '@obscost/infra';
import type { Finished } from '@obscost/process';
import { expectedRequests, query, type Counts } from './like-for-like-support.js';
import { benchJson, run, waitFor } from './support.js';

/** `npm run stack` for a test: its own ports and work directory, and what a user reads of it. */

export const prometheusOf = (port: OwnStack['port']): string =>
  `http://127.0.0.1:${port('PROMETHEUS_PORT')}`;

export interface OwnStack {
  env: NodeJS.ProcessEnv;
  port: (name: string) => string;
  stack: (command: string) => Promise<Finished>;
}

/** `npm run stack` on free ports in a work directory of the test's own, down at the end. */
export async function ownStack(t: TestContext): Promise<OwnStack> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'obscost-stack-'));
  const env: NodeJS.ProcessEnv = {
    ...(await freeStackPorts()),
    OBSCOST_WORK_DIR: workDir,
    APP_LOG_FILE: path.join(workDir, 'app/requests.log'),
    KAFKA_EVENTS_PARTITIONS: '1',
  };
  const stack = (command: string) => run(process.execPath, [STACK_CLI_MAIN, command], env);
  t.after(async () => {
    await stack('down');
    rmSync(workDir, { recursive: true, force: true });
  });
  return { env, port: (name) => env[name] ?? '', stack };
}

/** Sends `requests` to the app (if any); every approach counts `total` in Prometheus, and status says so. */
export async function checkCounts(
  t: TestContext,
  { port, stack }: OwnStack,
  { requests, total }: { requests: number; total: number },
): Promise<void> {
  if (requests > 0) {
    const url = `http://127.0.0.1:${port('APP_PORT')}/ping`;
    const bench = await benchJson(['-url', url, '-conns', '4', '-requests', String(requests)]);
    assert.equal(bench.requests, requests);
  }
  let counts: Counts = {};
  try {
    await waitFor(
      'every approach to count every request in Prometheus',
      async () => {
        counts = await query(prometheusOf(port), 'approach:obscost_requests:sum');
        return Object.entries(expectedRequests(total)).every(([k, v]) => counts[k] === v);
      },
      120_000,
      1_000,
    );
  } finally {
    t.diagnostic(`requests ${JSON.stringify(counts)}`);
  }
  // What a user reads: each approach's totals since the start, and the relations holding.
  let shown = '';
  await waitFor(
    'stack status to find every relation holding',
    async () => {
      shown = (await stack('status')).stdout;
      return (shown.match(/: holds$/gm)?.length ?? 0) === RELATIONS.length;
    },
    30_000,
    1_000,
  ).catch(() => assert.fail(shown));
  assert.match(
    shown,
    /^counting since \S+Z \(the app's start; the aggregator's group obscost-stack-\d+ /m,
  );
  const shownTotal = total.toLocaleString('en');
  assert.match(shown, new RegExp(`^ebpf_uprobe\\s+aggregator\\s+${shownTotal}\\s`, 'm'));
}
