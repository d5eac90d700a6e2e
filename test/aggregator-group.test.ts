import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObserverFleet } from '@obscost/infra';
import { CALLS, GroupSampler } from './aggregator-group-support.js';
import { newTopic, scrapeAll } from './aggregator-support.js';
import { hostTotals, teardown } from './hosts-support.js';
import { ownKafka, startAggregator, waitFor, type RunningAggregator } from './support.js';

/**
 * Aggregators as a consumer group (issue 25, item 4): two share twelve partitions, a third
 * joins under load, then one is killed -9 under load. Each host's total, summed over the live
 * aggregators, never goes down and ends equal to what Kafka acknowledged; the time each
 * rebalance holds counting up is measured.
 */

const HOSTS = ['host-1', 'host-2', 'host-3'];

test(
  'three aggregators in one group: one joins and one is killed under load, totals exact and monotonic per host',
  { timeout: 150_000 },
  async (t) => {
    const stops = teardown(t);
    const kafka = await ownKafka(t, { partitions: 12 });
    const topic = await newTopic(kafka, 12);
    const live: RunningAggregator[] = [];
    const start = async (id: string): Promise<RunningAggregator> => {
      const aggregator = await startAggregator([...topic.args, '--instance-id', id]);
      stops.process(() => aggregator.stop());
      live.push(aggregator);
      return aggregator;
    };
    // Eight observers a host, each its own key: their batches reach every partition.
    const fleet = new ObserverFleet(kafka.config, topic.topic, {
      hosts: HOSTS,
      perHost: 8,
      eventsPerBatch: 20,
    });
    stops.process(() => fleet.stop());
    const sampler = new GroupSampler(() => [...live]);
    stops.process(() => sampler.stop());

    /**
     * Until every one of `owners` exports partitions, then until a complete sample taken
     * after that is above every one before: the rebalance is over and counting went on.
     */
    const counting = async (what: string, owners: RunningAggregator[]): Promise<void> => {
      await waitFor(
        what,
        async () => {
          const texts = await Promise.all(owners.map((a) => scrapeAll([a])));
          return texts.every((text) => hostTotals(text, CALLS).size > 0);
        },
        45_000,
        100,
      );
      const owned = Date.now();
      await waitFor(`${what}: counting on`, () => sampler.lastRise() > owned, 45_000, 50);
    };
    const [first, second] = await Promise.all([start('first'), start('second')]);
    await fleet.start(20);
    await counting('two aggregators counting', [first, second]);

    const joined = Date.now();
    const third = await start('third');
    await counting('the third one in, and counting again', [first, second, third]);
    const joinHold = sampler.longestHold(joined, Date.now());

    assert.ok(second.pid !== undefined);
    const killed = Date.now();
    process.kill(second.pid, 'SIGKILL');
    live.splice(live.indexOf(second), 1);
    await counting('the two left counting again', [first, third]);
    const killHold = sampler.longestHold(killed, Date.now());
    t.diagnostic(
      `counting held up ${joinHold} ms by the join, ${killHold} ms by the kill -9 ` +
        '(sampled every 50 ms)',
    );

    await fleet.stop();
    let totals = new Map<string, number>();
    await waitFor(
      'every acknowledged batch counted, once, by the live aggregators',
      async () => {
        totals = hostTotals(await scrapeAll(live), CALLS);
        return HOSTS.every((host) => totals.get(host) === fleet.truth.get(host));
      },
      30_000,
      100,
    );
    await sampler.stop();
    assert.deepEqual(totals, fleet.truth);
    t.diagnostic(`truth ${JSON.stringify([...fleet.truth])}; ${sampler.samples.length} samples`);
    assert.deepEqual(sampler.regressions, [], 'no series went down, as its partition moved');
    assert.deepEqual(sampler.decreases(), [], "no host's total went down");
  },
);
