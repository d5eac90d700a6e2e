import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { sleep } from '@obscost/process';
import { expectedRequests, query, type Counts } from './like-for-like-support.js';
import { checkCounts, ownStack, prometheusOf, type OwnStack } from './stack-support.js';
import { benchJson, waitFor } from './support.js';

/**
 * After a burst, each approach's rate over the last minute is the same number once the window
 * begins and ends where every approach had delivered what was sent before: the recorded sums
 * are sampled at the same evaluations. Here the window first holds the tail of the steady load
 * (each source delivering with its own lag: 145 against 139 per second) and then only the
 * burst; and every sum has existed for longer than the window (a sum born inside it is
 * extrapolated from a shorter span: 34.84 against 35.14 in a stack's first minute).
 */
async function checkRatesAgree(t: TestContext, { port }: OwnStack): Promise<void> {
  let rates: Counts = {};
  const agree = (): boolean => {
    const appRate = rates['app/app'] ?? 0;
    return (
      appRate > 0 &&
      Object.keys(expectedRequests(1)).every(
        (key) => Math.abs((rates[key] ?? 0) - appRate) <= 1e-9 * appRate,
      )
    );
  };
  // Prometheus evaluates the rules every 5 s: the last scrape reaches the rates that late.
  await waitFor(
    'every approach to show one rate1m',
    async () => {
      rates = await query(prometheusOf(port), 'approach:obscost_requests:rate1m');
      return agree();
    },
    90_000,
    1_000,
  ).catch(() => assert.fail(`rate1m after the burst ${JSON.stringify(rates)}`));
  t.diagnostic(`rate1m after the burst ${JSON.stringify(rates)}`);
}

/**
 * Under steady load for longer than the rules' window, every approach's rate1m is within
 * STEADY_TOLERANCE of the rate sent: the SDK's spans arrive in batches (every 5 s at this rate,
 * its BatchSpanProcessor's delay), so a minute's window holds one batch more or less, 1/12.
 * Returns the requests sent.
 */
const STEADY_RATE = 150;
const QUIET_MS = 20_000;
const STEADY_TOLERANCE = 0.1;

async function checkSteadyRates(t: TestContext, { port }: OwnStack): Promise<number> {
  const url = `http://127.0.0.1:${port('APP_PORT')}/ping`;
  const rate = String(STEADY_RATE);
  const bench = await benchJson(['-url', url, '-conns', '4', '-rate', rate, '-dur', '75s']);
  assert.equal(bench.errors, 0);
  const rates = await query(prometheusOf(port), 'approach:obscost_requests:rate1m');
  t.diagnostic(`rate1m under ${rate} req/s ${JSON.stringify(rates)}`);
  for (const key of Object.keys(expectedRequests(1))) {
    const got = rates[key] ?? 0;
    assert.ok(Math.abs(got / STEADY_RATE - 1) <= STEADY_TOLERANCE, `${key}: ${got}/s`);
  }
  return bench.requests;
}

test(
  'npm run stack: every approach at one rate under steady load, and at the same rate after a burst',
  { timeout: 280_000 },
  async (t) => {
    const own = await ownStack(t);
    const up = await own.stack('up');
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const steady = await checkSteadyRates(t, own);
    await checkCounts(t, own, { requests: 0, total: steady });
    // A quiet moment, then a burst: the scenario the rates must agree on once delivered. The
    // quiet is what lets a minute's window begin after the steady load's tail.
    await sleep(QUIET_MS);
    await checkCounts(t, own, { requests: 1000, total: steady + 1000 });
    await checkRatesAgree(t, own);
  },
);
