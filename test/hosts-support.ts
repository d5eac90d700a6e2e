import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import { APP_MAIN, BENCH_CLI, createNetns, OBSERVER_MAIN, type Netns } from '@obscost/infra';
import { parseExposition } from '@obscost/measure';
import { runToEnd, startChild, type Child } from '@obscost/process';
import { scrape, seriesValue, waitFor } from './support.js';

/** What a test started, stopped at its end: every process at once, then what they ran in. */
export interface Teardown {
  process(stop: () => Promise<unknown>): void;
  /** Runs once every process is stopped (a namespace deleted). */
  afterwards(clean: () => Promise<unknown>): void;
}

/**
 * A teardown registered on `t` now: made before Kafka, it runs before Kafka goes down, so no
 * observer or aggregator spends its shutdown waiting for a broker that is gone.
 */
export function teardown(t: TestContext): Teardown {
  const processes: (() => Promise<unknown>)[] = [];
  const afterwards: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    const results = [
      ...(await Promise.allSettled(processes.map((stop) => stop()))),
      ...(await Promise.allSettled(afterwards.map((clean) => clean()))),
    ];
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    );
    if (failures.length > 0) throw new AggregateError(failures, 'teardown failed');
  });
  return {
    process: (stop) => processes.push(stop),
    afterwards: (clean) => afterwards.push(clean),
  };
}

/**
 * A simulated host: a network namespace with the app on its own loopback, and the host's
 * observer in the root namespace (as a host-network DaemonSet pod runs), following the app's
 * tree and naming the host in every batch.
 */
export interface SimulatedHost {
  readonly name: string;
  readonly netns: Netns;
  readonly app: Child;
  readonly observer: Child;
  /** The observer's metrics URL, on the root namespace's loopback. */
  readonly observerUrl: string;
  /** `requests` GETs of /ping from a load generator inside the namespace, at `rate`/s. */
  load(requests: number, rate: number): Promise<LoadResult>;
}

/**
 * Starts host `name` with its app on `appPort` of the namespace's loopback and its observer
 * sending to `brokers` under the observer id `name`. Every part is stopped, and the namespace
 * deleted, by `stops`: added as each is made, before anything is asserted.
 */
export async function simulatedHost(
  stops: Teardown,
  name: string,
  {
    appPort,
    brokers,
    observerArgs = [],
  }: { appPort: number; brokers: string; observerArgs?: string[] },
): Promise<SimulatedHost> {
  const netns = await createNetns(name);
  stops.afterwards(() => netns.remove());
  const app = netns.start(process.execPath, [APP_MAIN], { env: { PORT: String(appPort) } });
  stops.process(() => app.stop());
  await app.waitForOutput(/app listening on http:\/\/\S+/, `${name}'s app to listen`);
  const pid = app.pid;
  assert.ok(pid !== undefined);
  // In the root namespace, as a host-network DaemonSet's pod runs, naming its host.
  const observer = startChild(process.execPath, [
    ...[OBSERVER_MAIN, '--port', '0', '--tree', String(pid), '--host-name', name],
    ...['--kafka-brokers', brokers, '--observer-id', name, ...observerArgs],
  ]);
  stops.process(() => observer.stop());
  const [, observerUrl = ''] = await observer.waitForOutput(
    /metrics on (http:\/\/\S+)/,
    `${name}'s observer to serve its metrics`,
  );
  await waitFor(
    `${name}'s observer to follow its app`,
    async () => seriesValue(await scrape(observerUrl), 'observer_targets') >= 1,
  );
  const load = async (requests: number, rate: number): Promise<LoadResult> => {
    const bench = netns.wrap(process.execPath, [
      ...[BENCH_CLI, '-url', `http://127.0.0.1:${appPort}/ping`, '-conns', '4'],
      ...['-requests', String(requests), '-rate', String(rate), '-json'],
    ]);
    const { code, stdout, stderr } = await runToEnd(bench.command, bench.args);
    assert.equal(code, 0, `${name}'s load: ${stderr}`);
    return JSON.parse(stdout) as LoadResult;
  };
  return { name, netns, app, observer, observerUrl, load };
}

/** `sum by (host) (metric)` as Prometheus's HTTP API answers it now: host -> value. */
export async function totalsByHost(
  prometheus: string,
  metric: string,
): Promise<Map<string, number>> {
  const query = `sum by (host) (${metric})`;
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return new Map(
    body.data.result.map(({ metric: labels, value }) => [labels.host ?? '', Number(value[1])]),
  );
}

/** Each host's total of `metric` over every series of an exposition (every partition's). */
export function hostTotals(exposition: string, metric: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const sample of parseExposition(exposition)) {
    if (sample.name !== metric) continue;
    const host = sample.labels.host ?? '';
    totals.set(host, (totals.get(host) ?? 0) + sample.value);
  }
  return totals;
}
