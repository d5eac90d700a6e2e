import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_METRICS } from '@obscost/events';
import { removeStale } from '@obscost/infra';
import { hostTotals, simulatedHost, teardown, totalsByHost } from './hosts-support.js';
import { ownPrometheus, portOf } from './like-for-like-support.js';
import { freePorts, listening, ownKafka, scrape, startAggregator, waitFor } from './support.js';

/**
 * Three hosts on one machine (issue 25, item 3): a network namespace each, with its own app
 * on its own loopback and its own load; an observer per host in the root namespace following
 * only its host's app; Kafka, the aggregator and Prometheus on the root namespace's loopback.
 * No traffic crosses namespaces by address: each load generator runs inside its namespace.
 */

/** A different count per host, so that a mix-up of hosts shows. */
const REQUESTS: Record<string, number> = { 'host-1': 1000, 'host-2': 1500, 'host-3': 2000 };
const RATE = 500;
/**
 * The uprobe alone: with the syscall tracepoints (no fexit on these VMs) every observer's
 * program runs on every syscall of the machine, and three observers with everything else on
 * two CPUs served ~130 requests/s per host.
 */
const OBSERVER_ARGS = ['--probes', 'uprobe'];
const CALLS = EVENT_METRICS.uprobe.events;
const BYTES = EVENT_METRICS.uprobe.bytes;

test(
  'three hosts in network namespaces: exact totals per host label, in the aggregator and in Prometheus',
  { timeout: 150_000 },
  async (t) => {
    const stale = await removeStale();
    if (stale.length > 0) t.diagnostic(`removed stale namespaces: ${stale.join(', ')}`);
    const began = Date.now();
    const since = (): string => `${((Date.now() - began) / 1000).toFixed(1)} s`;
    // The same port in every namespace: each has a loopback of its own.
    const [appPort = 0] = await freePorts(1);
    const stops = teardown(t);
    const kafka = await ownKafka(t, { partitions: 3 });
    t.diagnostic(`Kafka up at ${since()}`);
    const hosts = await Promise.all(
      Object.keys(REQUESTS).map((name) =>
        simulatedHost(stops, name, {
          appPort,
          brokers: kafka.brokers,
          observerArgs: OBSERVER_ARGS,
        }),
      ),
    );
    t.diagnostic(`hosts up at ${since()}`);
    const aggregator = await startAggregator([
      ...['--kafka-brokers', kafka.brokers, '--group', `hosts-${process.pid}`],
    ]);
    stops.process(() => aggregator.stop());
    const prometheus = await ownPrometheus(t, { aggregator: portOf(aggregator.url) });

    t.diagnostic(`Prometheus up at ${since()}`);
    assert.equal(await listening(appPort), false, "no app on the root namespace's loopback");
    const loads = await Promise.all(hosts.map((host) => host.load(REQUESTS[host.name] ?? 0, RATE)));
    const bytes = new Map(hosts.map((host, i) => [host.name, loads[i]?.bytes ?? 0]));
    for (const [i, host] of hosts.entries()) {
      assert.equal(loads[i]?.status['200'], REQUESTS[host.name], `${host.name}'s answers`);
    }
    t.diagnostic(
      `loads done at ${since()}: ${loads.map((l) => `${l.requests} in ${l.duration_s.toFixed(1)} s`).join(', ')}`,
    );
    const expected = new Map(Object.entries(REQUESTS));

    const observed = new Map<string, number>();
    await waitFor("each observer's count of its own host's requests", async () => {
      for (const host of hosts) {
        const totals = hostTotals(await scrape(host.observerUrl), CALLS);
        observed.set(
          host.name,
          [...totals.values()].reduce((a, b) => a + b, 0),
        );
      }
      return [...expected].every(([host, n]) => observed.get(host) === n);
    });
    assert.deepEqual(observed, expected, "each observer counted its own host's requests alone");

    let exported = new Map<string, number>();
    const settled = Date.now();
    await waitFor(
      "every host's requests counted by the aggregator",
      async () => {
        exported = hostTotals(await scrape(aggregator.url), CALLS);
        return [...expected].every(([host, n]) => exported.get(host) === n);
      },
      30_000,
    );
    t.diagnostic(`aggregator settled ${Date.now() - settled} ms after the loads`);
    assert.deepEqual(exported, expected);
    assert.deepEqual(hostTotals(await scrape(aggregator.url), BYTES), bytes);

    let queried = new Map<string, number>();
    await waitFor(
      "every host's total in Prometheus",
      async () => {
        queried = await totalsByHost(prometheus, CALLS);
        return [...expected].every(([host, n]) => queried.get(host) === n);
      },
      30_000,
      500,
    );
    t.diagnostic(`Prometheus agreed at ${since()}`);
    assert.deepEqual(queried, expected, 'no other host label in Prometheus');
    assert.deepEqual(await totalsByHost(prometheus, BYTES), bytes);
  },
);
