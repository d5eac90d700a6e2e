import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { test, type TestContext } from 'node:test';
import { goServiceBinary, loadInfraConfig } from '@obscost/infra';
import { requestsTotal, scrape, startChild, type Child } from './support.js';

// The seed's Go service (fixtures/go-service), as setup.sh builds it into the cache.
const BINARY = goServiceBinary(loadInfraConfig());
const NOT_BUILT =
  !existsSync(BINARY) && `the Go service is not built (${BINARY}): run "npm run setup"`;
const REQUESTS = 200;
const LISTENING = /^go-service listening on (http:\/\/127\.0\.0\.1:\d+)$/m;
// Go's register ABI passes the first integer argument in RAX on amd64; bpftrace names it "ax".
const ARGUMENT_REGISTER = process.arch === 'x64' ? 'ax' : undefined;

interface GoService {
  readonly url: string;
  readonly child: Child;
}

async function startGoService(t: TestContext): Promise<GoService> {
  const child = startChild(BINARY, [], { env: { PORT: '0' } });
  t.after(async () => {
    await child.stop(5_000);
  });
  const [, url = ''] = await child.waitForOutput(LISTENING, 'the Go service to listen');
  return { url, child };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/** One request after the other: exactly `count` responses, none in flight at the end. */
async function getMany(url: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const { status, body } = await get(url);
    assert.equal(status, 200, `request ${i + 1} of ${count}: ${body}`);
    bodies.push(body);
  }
  return bodies;
}

/**
 * bpftrace counting the marker's calls and summing its argument. Its "Attaching 2 probes..."
 * comes before the probes attach; BEGIN fires once they all have, so its line is the signal
 * that no call can be missed from then on.
 */
async function traceMarker(t: TestContext): Promise<Child> {
  const bytes =
    ARGUMENT_REGISTER === undefined ? '' : ` @bytes = sum(reg("${ARGUMENT_REGISTER}"));`;
  const script =
    'BEGIN { printf("attached\\n"); } ' +
    `uprobe:${BINARY}:main.AppWrite { @calls = count();${bytes} }`;
  const tracer = startChild('bpftrace', ['-e', script]);
  t.after(async () => {
    await tracer.stop(5_000);
  });
  await tracer.waitForOutput(/^attached$/m, 'bpftrace to attach its uprobe', 60_000);
  return tracer;
}

/** A map bpftrace printed on exit; 0 when it printed none (the probe never fired). */
function printedMap(output: string, map: string): number {
  const match = new RegExp(`^@${map}: (\\d+)$`, 'm').exec(output);
  return match === null ? 0 : Number(match[1]);
}

test(
  'the Go service answers its routes, prints one line and stops on SIGTERM with exit 0',
  { skip: NOT_BUILT, timeout: 60_000 },
  async (t) => {
    const service = await startGoService(t);
    assert.equal(service.child.output().trim(), `go-service listening on ${service.url}`);

    const ping = await get(`${service.url}/ping`);
    assert.equal(ping.status, 200);
    assert.ok(ping.body.length > 0, 'a body to count');

    const started = performance.now();
    const work = await get(`${service.url}/work?ms=5`);
    const elapsedMs = performance.now() - started;
    assert.equal(work.status, 200, work.body);
    assert.ok(elapsedMs >= 5, `/work?ms=5 took ${elapsedMs.toFixed(2)} ms`);

    const refused = await get(`${service.url}/work?ms=x`);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /ms must be a whole number/);

    assert.equal(await service.child.stop(5_000), 0, service.child.output());
  },
);

test(
  `${REQUESTS} requests: /metrics counts ${REQUESTS}, the uprobe on main.AppWrite ${REQUESTS} calls of the body's size`,
  { skip: NOT_BUILT, timeout: 120_000 },
  async (t) => {
    const service = await startGoService(t);
    const tracer = await traceMarker(t);

    const bodies = await getMany(`${service.url}/ping`, REQUESTS);
    const exposition = await scrape(`${service.url}/metrics`);
    tracer.signal('SIGINT');
    await tracer.closed;

    assert.equal(requestsTotal(exposition, '/ping', 200), REQUESTS, exposition);
    const output = tracer.output();
    // /metrics is not one of the service's routes: its scrape calls no marker.
    assert.equal(printedMap(output, 'calls'), REQUESTS, output);
    if (ARGUMENT_REGISTER === undefined) {
      t.diagnostic(`the marker's argument is summed on amd64 only, not on ${process.arch}`);
      return;
    }
    const bodyBytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
    assert.equal(printedMap(output, 'bytes'), bodyBytes, output);
  },
);
