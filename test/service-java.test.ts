import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { javaServiceClasses, loadInfraConfig } from '@obscost/infra';
import {
  checkServiceRun,
  compareOnService,
  processesUnder,
  reportIn,
  scenario,
} from './comparison-support.js';
import { listening } from './support.js';

test(
  "npm start --service: a Java service on the JDK's HttpServer, the Java agent's one server span a request, its access log, write and TCP probes exact",
  { timeout: 170_000 },
  async (t) => {
    const classes = javaServiceClasses(loadInfraConfig());
    let command = '';
    let log = '';
    const { dir, out, port, result } = await compareOnService(t, (port, out) => {
      log = path.join(path.dirname(out), 'access.log');
      command = `env PORT=${port} ACCESS_LOG=${log} java -cp ${classes} Server`;
      return [
        ...['--service', command, '--service-runtime', 'java'],
        ...['--service-log', log, '--service-log-format', 'clf'],
        ...['--scenarios', 'sidecar,otel-sdk,bpftrace,ebpf-inkernel'],
        ...['--service-url', `http://127.0.0.1:${port}/ping`, '--out', out],
        ...['--dur', '1s', '--warmup', '200ms', '--conns', '8'],
        ...['--repeat', '1', '--no-controls', '--max-foreign', '0.99'],
      ];
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await listening(port, '127.0.0.1'), false, 'the service is stopped');
    assert.deepEqual(processesUnder(dir), [], 'the Collectors are stopped');
    const report = reportIn(out);
    checkServiceRun(report, { command, port }, [
      'baseline',
      'sidecar',
      'otel-sdk',
      'bpftrace',
      'ebpf-inkernel',
    ]);
    // The agent by JAVA_TOOL_OPTIONS, its java-http-server instrumentation alone: one server
    // span a request, exported over OTLP to the Collector.
    const spans = scenario(report, 'otel-sdk').accuracy.otel_sdk;
    assert.ok(spans?.exact && spans.truth > 0, JSON.stringify(spans));
    const logged = scenario(report, 'sidecar').accuracy.sidecar;
    assert.ok(logged?.exact && logged.truth > 0, JSON.stringify(logged));
    // The JDK's server writes a response in two write(2) calls, its status line and headers,
    // then its body: the write probe sums their bytes, so it is exact in bytes as the TCP
    // probe is, though it sees two writes a request.
    const inkernel = scenario(report, 'ebpf-inkernel').accuracy;
    for (const approach of ['ebpf_socket_write', 'ebpf_tcp_send'] as const) {
      const a = inkernel[approach];
      assert.ok(a?.exact && a.truth > 0, `${approach}: ${JSON.stringify(a)}`);
    }
    // The seed's script counts every write of the process: two a response, the selector's
    // wake-ups (an eventfd) and the access log's lines besides. It counts writes, not requests.
    const traced = scenario(report, 'bpftrace').accuracy.bpftrace;
    assert.ok(traced && traced.counted >= 2 * traced.truth * 0.95, JSON.stringify(traced));
  },
);
