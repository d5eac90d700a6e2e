import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test, type TestContext } from 'node:test';
import { observerPartition } from '@obscost/infra';
import { observerCaughtUp, observerStall, type ObserverStall } from '@obscost/measure';
import { EXACT_NAMES, total } from './aggregator-support.js';
import { quiescent } from './forwarding-support.js';
import {
  benchJson,
  ownKafka,
  scrape,
  seriesValue,
  startAggregator,
  startApp,
  startObserver,
  waitFor,
  type OwnKafka,
  type RunningAggregator,
  type RunningApp,
  type RunningObserver,
} from './support.js';

/**
 * A broker dies under load: the observer (acks=all, idempotent) and the aggregator, on a
 * three-node Kafka with a minimum ISR of two, lose nothing acknowledged and count nothing
 * twice. The cases share one cluster, app, observer and aggregator; after each, every total
 * the aggregator exports equals the truth so far (the bench's requests and bytes, the
 * observer's own counts).
 */

const OBSERVER_ID = 'failover-test';
const PARTITIONS = 12;
/** A few seconds of load at a moderate rate, per case. */
const LOAD = ['-conns', '4', '-rate', '300', '-requests', '1800'];

interface Pipeline {
  kafka: OwnKafka;
  app: RunningApp;
  observer: RunningObserver;
  aggregator: RunningAggregator;
  partition: number;
  /** The bench's totals over every case so far: the truth. */
  truth: { requests: number; bytes: number };
}

/**
 * Runs the bench while `fault` happens once the load flows, and `afterLoad` once the bench is
 * done; returns the stall, measured until then.
 */
async function underLoad(
  p: Pipeline,
  fault: () => Promise<void>,
  afterLoad: () => Promise<void> = () => Promise.resolve(),
): Promise<ObserverStall> {
  const start = seriesValue(await scrape(p.observer.url), 'observer_last_sequence');
  const bench = benchJson(['-url', `${p.app.url}/ping`, ...LOAD]);
  const work = (async () => {
    await waitFor(
      'the load to flow',
      async () => seriesValue(await scrape(p.observer.url), 'observer_last_sequence') > start + 20,
    );
    await fault();
    const load = await bench;
    assert.equal(load.status['200'], 1800, JSON.stringify(load.status));
    p.truth.requests += load.status['200'] ?? 0;
    p.truth.bytes += load.bytes;
    await afterLoad();
    // A stall still going when the load ends is measured to its end.
    await waitFor('the observer to catch up', () => observerCaughtUp(p.observer.url), 60_000, 100);
  })();
  return observerStall(p.observer.url, work);
}

/**
 * Waits until the aggregator has counted the truth, then checks every total: the uprobe's
 * calls and bytes are the bench's requests and bytes, every family the observer's own count,
 * nothing dropped, no gap, the aggregator still running.
 */
async function assertTruth(p: Pipeline, t: TestContext): Promise<void> {
  let observed = await quiescent(p.observer);
  let counted = '';
  // The app may still write (its request log) after the load: compare scrapes taken together.
  const agree = (): boolean =>
    EXACT_NAMES.every((name) => total(counted, name) === total(observed, name));
  await waitFor(
    'the aggregator to count every request, and all the observer saw',
    async () => {
      assert.ok(p.aggregator.running, `the aggregator exited:\n${p.aggregator.output()}`);
      [counted, observed] = await Promise.all([scrape(p.aggregator.url), scrape(p.observer.url)]);
      return total(counted, 'app_uprobe_calls_total') >= p.truth.requests && agree();
    },
    60_000,
    250,
  );
  assert.equal(total(counted, 'app_uprobe_calls_total'), p.truth.requests, 'uprobe calls');
  assert.equal(total(counted, 'app_uprobe_bytes_total'), p.truth.bytes, 'uprobe bytes');
  for (const name of EXACT_NAMES) assert.equal(total(counted, name), total(observed, name), name);
  assert.equal(total(observed, 'observer_dropped_events_total'), 0, 'nothing dropped');
  assert.equal(total(counted, 'aggregator_sequence_gap_batches_total'), 0, 'no gap');
  t.diagnostic(
    `duplicates dropped by the aggregator ${total(counted, 'aggregator_duplicate_batches_total')}, ` +
      `unacknowledged sends ${total(observed, 'observer_kafka_unacknowledged_sends_total')}`,
  );
}

/** Starts `node` again and waits until it is in sync and the preferred leader leads again. */
async function restartAndRebalance(p: Pipeline, node: number, t: TestContext): Promise<void> {
  const started = performance.now();
  await p.kafka.start(node);
  const rejoined = performance.now();
  let leadership = await p.kafka.leadership(p.partition);
  await waitFor(
    'every replica in sync and the preferred leader leading',
    async () => {
      leadership = await p.kafka.leadership(p.partition);
      return leadership.inSync.length === 3 && leadership.leader === leadership.preferred;
    },
    60_000,
    250,
  );
  assert.equal(leadership.leader, leadership.preferred);
  t.diagnostic(
    `node ${node} answered ${((rejoined - started) / 1000).toFixed(1)} s after its start, ` +
      `led again ${((performance.now() - rejoined) / 1000).toFixed(1)} s later`,
  );
}

async function pipeline(t: TestContext): Promise<Pipeline> {
  const kafka = await ownKafka(t, { nodes: 3, partitions: PARTITIONS });
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await startObserver([
    ...['--pid', String(app.process.pid), '--kafka-brokers', kafka.brokers],
    ...['--topic', kafka.config.kafka.eventsTopic, '--observer-id', OBSERVER_ID],
  ]);
  t.after(() => observer.stop());
  const aggregator = await startAggregator([
    ...['--kafka-brokers', kafka.brokers, '--group', 'failover-test'],
  ]);
  t.after(() => aggregator.stop());
  const partition = observerPartition(OBSERVER_ID, PARTITIONS);
  return { kafka, app, observer, aggregator, partition, truth: { requests: 0, bytes: 0 } };
}

test(
  "a broker's death under load: nothing acknowledged lost, nothing counted twice",
  { timeout: 240_000 },
  async (t) => {
    const p = await pipeline(t);

    await t.test('kill -9 of the leader, then its restart', async (t) => {
      const { leader } = await p.kafka.leadership(p.partition);
      const { stallS } = await underLoad(p, () => p.kafka.kill(leader, 'SIGKILL'));
      t.diagnostic(`kill -9 of node ${leader}: the observer stalled ${stallS.toFixed(1)} s`);
      assert.ok(stallS <= 10, `stalled ${stallS} s`);
      await assertTruth(p, t);
      await restartAndRebalance(p, leader, t);
    });

    await t.test('SIGTERM of the leader (controlled shutdown), then its restart', async (t) => {
      const { leader } = await p.kafka.leadership(p.partition);
      const { stallS } = await underLoad(p, () => p.kafka.kill(leader, 'SIGTERM'));
      t.diagnostic(`SIGTERM of node ${leader}: the observer stalled ${stallS.toFixed(1)} s`);
      await assertTruth(p, t);
      await restartAndRebalance(p, leader, t);
    });

    await t.test(
      'two brokers down: the observer buffers, then delivers with one back',
      async (t) => {
        const { leader, inSync } = await p.kafka.leadership(p.partition);
        const follower = inSync.find((node) => node !== leader) ?? -1;
        // Down through the whole load: acks=all cannot be met, and no controller has a quorum.
        const { stallS, bufferedBytes } = await underLoad(
          p,
          () => Promise.all([p.kafka.kill(leader), p.kafka.kill(follower)]).then(() => undefined),
          () => p.kafka.start(follower),
        );
        t.diagnostic(
          `nodes ${leader} and ${follower} down, ${follower} back: ` +
            `stalled ${stallS.toFixed(1)} s, ${bufferedBytes} bytes buffered at most`,
        );
        assert.ok(bufferedBytes > 64 * 1024, `the observer buffered (${bufferedBytes} bytes)`);
        assert.ok(p.aggregator.running, 'the aggregator survived the outage');
        await assertTruth(p, t);
      },
    );
  },
);
