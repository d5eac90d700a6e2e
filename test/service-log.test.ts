import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { goServiceBinary, loadInfraConfig, ROOT } from '@obscost/infra';
import { ownDir, reportIn, scenario } from './comparison-support.js';
import { freePorts, run, RUNNER_MAIN } from './support.js';

const NODE_SERVICE = path.join(ROOT, 'fixtures/node-service/server.mjs');

/** Lines of an earlier day: the user's, kept in the file and counted in no run. */
const EARLIER: Record<string, string> = {
  clf: '127.0.0.1 - - [06/Dec/2026:10:00:00 +0000] "GET /ping HTTP/1.1" 200 5\n'.repeat(50),
  json: '{"path":"/ping","status":200,"bytes":5}\n'.repeat(50),
};

/**
 * The comparison on `command` (a service that appends a line a request to ACCESS_LOG, which
 * the test sets to a file of its own, with lines already in it), the sidecar alone: its
 * count is exactly the requests the load got, and the earlier lines are still there.
 */
async function sidecarOnServiceLog(
  dir: string,
  command: (port: number, log: string) => string,
  format: 'clf' | 'json',
): Promise<void> {
  const out = path.join(dir, 'out');
  const log = path.join(dir, `access.${format}.log`);
  writeFileSync(log, EARLIER[format] ?? '');
  const [port = 0] = await freePorts(1);
  const result = await run(
    process.execPath,
    [
      RUNNER_MAIN,
      ...['--service', command(port, log), '--service-url', `http://127.0.0.1:${port}/ping`],
      ...['--service-log', log, '--service-log-format', format, '--scenarios', 'sidecar'],
      ...['--dur', '1s', '--warmup', '200ms', '--conns', '8', '--out', out],
      ...['--repeat', '1', '--no-controls', '--max-foreign', '0.99'],
    ],
    { TMPDIR: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const sidecar = scenario(reportIn(out), 'sidecar');
  assert.equal(sidecar.status, 'ok', sidecar.reason);
  assert.deepEqual(sidecar.processes.map((p) => p.name).sort(), ['app', 'collector']);
  const counted = sidecar.accuracy.sidecar;
  assert.ok(counted?.exact && counted.truth > 0, JSON.stringify(counted));
  assert.equal(counted.unit, 'requests');
  // A log's bytes are the body's ("pong\n"), not the response on the wire: shown, not compared.
  assert.equal(counted.bytes?.counted, 5 * counted.counted, JSON.stringify(counted));
  assert.deepEqual(Object.keys(counted.not_comparable ?? {}), ['bytes']);
  assert.ok(readFileSync(log, 'utf8').startsWith(EARLIER[format] ?? ''), 'nothing truncated');
}

test(
  "npm start --service --service-log: the seed's Go service's CLF access log, counted exactly",
  { timeout: 170_000 },
  async (t) => {
    const binary = goServiceBinary(loadInfraConfig());
    await sidecarOnServiceLog(
      ownDir(t),
      (port, log) => `env PORT=${port} ACCESS_LOG=${log} ${binary}`,
      'clf',
    );
  },
);

test(
  "npm start --service --service-log: the Node service's JSON lines, counted exactly",
  { timeout: 170_000 },
  async (t) => {
    await sidecarOnServiceLog(
      ownDir(t),
      (port, log) => `env PORT=${port} ACCESS_LOG=${log} ${process.execPath} ${NODE_SERVICE}`,
      'json',
    );
  },
);
