import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goServiceBinary, loadInfraConfig } from '@obscost/infra';
import type { Report } from '@obscost/report';
import { compareOnService, reportIn, scenario } from './comparison-support.js';

// Whom the probes follow on a service: the tree the comparison started, or a command name.

/**
 * The seed's Go service behind a shell that does not exec it: the process the comparison
 * starts is the shell (`; :` keeps it waiting on its child), the service its child.
 */
function behindShell(port: number): string {
  return `sh -c 'env PORT=${port} ${goServiceBinary(loadInfraConfig())}; :'`;
}

/**
 * The observer counts every response of the Go service exactly (one write, one TCP send, one
 * marker call a response); bpftrace's calls come within 5% (its print-then-clear and the Go
 * runtime's own writes: test/service.test.ts).
 */
function assertCounted(report: Report): void {
  const inkernel = scenario(report, 'ebpf-inkernel');
  assert.equal(inkernel.status, 'ok', inkernel.reason);
  for (const approach of ['ebpf_uprobe', 'ebpf_socket_write', 'ebpf_tcp_send'] as const) {
    const a = inkernel.accuracy[approach];
    assert.ok(a?.exact && a.truth > 0, `${approach}: ${JSON.stringify(a)}`);
  }
  const traced = scenario(report, 'bpftrace').accuracy.bpftrace;
  assert.ok(
    traced && traced.truth > 0 && Math.abs(traced.counted - traced.truth) < 0.05 * traced.truth,
    JSON.stringify(traced),
  );
}

for (const [how, comm] of [
  ['the process tree it started', undefined],
  ['--service-comm', 'go-service'],
] as const) {
  test(
    `npm start --service: a service its command forks, followed by ${how}`,
    { timeout: 200_000 },
    async (t) => {
      const binary = goServiceBinary(loadInfraConfig());
      const { out, result } = await compareOnService(t, (port, out) => [
        ...['--service', behindShell(port), '--service-url', `http://127.0.0.1:${port}/ping`],
        ...['--service-runtime', 'go', '--service-marker', `${binary}:main.AppWrite`],
        ...(comm === undefined ? [] : ['--service-comm', comm]),
        ...['--scenarios', 'bpftrace,ebpf-inkernel', '--out', out],
        ...['--dur', '1s', '--warmup', '200ms', '--conns', '8'],
        ...['--repeat', '1', '--no-controls', '--max-foreign', '0.99'],
      ]);
      assert.equal(result.code, 0, result.stderr);
      assertCounted(reportIn(out));
    },
  );
}
