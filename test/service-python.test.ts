import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadInfraConfig, pythonServiceVenv, ROOT } from '@obscost/infra';
import { checkServiceRun, compareOnService, reportIn, scenario } from './comparison-support.js';
import { listening, run } from './support.js';

const PYTHON_SERVICE = path.join(ROOT, 'fixtures/python-service/app.py');

test(
  'npm start --service: a Python service (Flask on waitress), its zero-code OpenTelemetry one server span a request, its TCP sends exact',
  { timeout: 200_000 },
  async (t) => {
    const { python } = pythonServiceVenv(loadInfraConfig());
    let command = '';
    const { out, port, result } = await compareOnService(t, (port, out) => {
      command = `env PORT=${port} ${python} ${PYTHON_SERVICE}`;
      return [
        ...['--service', command, '--service-runtime', 'python'],
        ...['--scenarios', 'otel-sdk,bpftrace,ebpf-inkernel'],
        ...['--service-url', `http://127.0.0.1:${port}/ping`, '--out', out],
        ...['--dur', '1s', '--warmup', '200ms', '--conns', '8'],
        ...['--repeat', '1', '--no-controls', '--max-foreign', '0.99'],
      ];
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await listening(port, '127.0.0.1'), false, 'the service is stopped');
    const report = reportIn(out);
    checkServiceRun(report, { command, port }, [
      'baseline',
      'otel-sdk',
      'bpftrace',
      'ebpf-inkernel',
    ]);
    // The agent's sitecustomize on PYTHONPATH: the Flask instrumentation's server span, one a
    // request, exported over OTLP to the Collector.
    const spans = scenario(report, 'otel-sdk').accuracy.otel_sdk;
    assert.ok(spans?.exact && spans.truth > 0, JSON.stringify(spans));
    // waitress sends a response with send(2), the status line and headers, then the body: the
    // TCP probe counts every byte on the wire, exactly. The write probe traces write(2) and
    // writev(2) alone, so it sees none of them: its count of socket bytes is 0, not the truth,
    // and, the TCP probe beside it having seen every byte, marked not comparable.
    const inkernel = scenario(report, 'ebpf-inkernel').accuracy;
    assert.ok(inkernel.ebpf_tcp_send?.exact, JSON.stringify(inkernel.ebpf_tcp_send));
    assert.ok(inkernel.ebpf_tcp_send.truth > 0);
    assert.equal(inkernel.ebpf_tcp_send.not_comparable, undefined);
    assert.equal(inkernel.ebpf_socket_write?.counted, 0, JSON.stringify(inkernel));
    assert.match(inkernel.ebpf_socket_write.not_comparable?.bytes ?? '', /sendto/);
  },
);

test(
  'the Python agent the runner puts on PYTHONPATH is the one opentelemetry-instrument puts there',
  { timeout: 60_000 },
  async () => {
    const venv = pythonServiceVenv(loadInfraConfig());
    const printed = await run(venv.instrument, [
      ...[venv.python, '-c', 'import os; print(os.environ["PYTHONPATH"])'],
    ]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout.trim().split(path.delimiter)[0], venv.sitecustomize);
  },
);
