/**
 * The Helm chart (deploy/helm/obscost), rendered and schema-checked: no cluster runs here.
 * The real Helm, built by setup, lints and renders it for several values files; the checker of
 * infra/helm-check decodes every object strictly into the Kubernetes API's own types; the
 * observer's and the aggregator's arguments go through their own settings parsers, so a
 * renamed flag fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AGGREGATOR_MAIN, OBSERVER_MAIN, ROOT } from '@obscost/infra';
import {
  CHART,
  check,
  find,
  helm,
  HELM_VERSION,
  observerSettings,
  parseAggregatorArgs,
  podOf,
  render,
  TEST_VALUES,
  TIMEOUT,
  valuesArgs,
} from './helm-chart.js';

/** Each values file, and the kinds it renders beyond the defaults' objects. */
const VALUES_FILES: [file: string | undefined, extraKinds: string[]][] = [
  [undefined, []],
  ['privileged.yaml', []],
  ['least-privilege.yaml', []],
  ['tls-sasl.yaml', []],
  ['sasl-password.yaml', ['Secret']],
  ['service-monitor.yaml', ['ServiceMonitor']],
  ['three-aggregators.yaml', []],
];
const DEFAULT_KINDS =
  'ServiceAccount ConfigMap Service Service Service DaemonSet Deployment Deployment'.split(' ');

test(
  'helm lint --strict passes and every rendered object decodes strictly, for each values file',
  TIMEOUT,
  async () => {
    const version = await helm('version');
    assert.match(version.stdout, new RegExp(`Version:"v${HELM_VERSION ?? '?'}"`));
    for (const [file, extraKinds] of VALUES_FILES) {
      const files = file === undefined ? [] : [file];
      const lint = await helm('lint', '--strict', CHART, ...valuesArgs(files));
      assert.equal(lint.code, 0, `helm lint --strict ${file ?? ''}: ${lint.stdout}${lint.stderr}`);
      const kinds = (await render(...files)).map((o) => o.kind).sort();
      assert.deepEqual(kinds, [...DEFAULT_KINDS, ...extraKinds].sort(), file);
    }
  },
);

test('the schema refuses a bad values file, naming each bad field', TIMEOUT, async () => {
  const bad = path.join(TEST_VALUES, 'bad.yaml');
  for (const command of [
    ['template', 'obscost'],
    ['lint', '--strict'],
  ]) {
    const refused = await helm(...command, CHART, '-f', bad);
    assert.notEqual(refused.code, 0, command.join(' '));
    const output = refused.stdout + refused.stderr;
    assert.match(output, /schema/, command.join(' '));
    assert.match(output, /\/observer\/probes\/1/, command.join(' '));
    assert.match(output, /\/observer\/privileged/, command.join(' '));
  }
});

test(
  'the checker refuses an unknown field and a duplicate key, naming the object',
  TIMEOUT,
  async () => {
    const rendered = await helm('template', 'obscost', CHART);
    assert.equal(rendered.code, 0, rendered.stderr);
    const misspelt = await check(
      rendered.stdout.replace('readOnlyRootFilesystem', 'readOnlyRootFileSystem'),
    );
    assert.equal(misspelt.code, 1);
    assert.match(
      misspelt.stderr,
      /DaemonSet "obscost-observer".*unknown field "spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFileSystem"/,
    );
    const twice = await check(
      rendered.stdout.replace(/^( +)hostPID: true$/m, '$1hostPID: true\n$1hostPID: false'),
    );
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /DaemonSet "obscost-observer".*key "hostPID" already set/s);
  },
);

test(
  "the observer: host PID, drop ALL then BPF, PERFMON and SYS_ADMIN, read-only, the host's tracefs",
  TIMEOUT,
  async () => {
    const { pod, container } = podOf(await render(), 'DaemonSet', 'observer');
    assert.equal(pod.hostPID, true);
    assert.deepEqual(container.securityContext, {
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['BPF', 'PERFMON', 'SYS_ADMIN'] },
    });
    const tracefs = pod.volumes?.find((v) => v.hostPath?.path === '/sys/kernel/tracing');
    assert.ok(tracefs);
    assert.deepEqual(
      container.volumeMounts?.find((m) => m.name === tracefs.name),
      { name: tracefs.name, mountPath: '/sys/kernel/tracing', readOnly: true },
    );
    // Without the uprobe and the BPF statistics, CAP_SYS_ADMIN is not granted.
    const least = podOf(await render('least-privilege.yaml'), 'DaemonSet', 'observer');
    assert.deepEqual(least.container.securityContext, {
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['BPF', 'PERFMON'] },
    });
    const privileged = podOf(await render('privileged.yaml'), 'DaemonSet', 'observer');
    assert.deepEqual(privileged.container.securityContext, {
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      privileged: true,
    });
    assert.equal(privileged.pod.hostPID, true);
  },
);

test("the observer's arguments and environment are its own flags", TIMEOUT, async () => {
  const { container } = podOf(await render(), 'DaemonSet', 'observer');
  assert.deepEqual(container.command, ['node', path.relative(ROOT, OBSERVER_MAIN)]);
  const values = observerSettings(container);
  assert.equal(values.comm, 'obscost-app');
  assert.equal(values.host, '0.0.0.0');
  assert.equal(values.observerId, '$(NODE_NAME)');
  assert.equal(values.hostName, '$(NODE_NAME)');
  assert.deepEqual(values.probes, ['write', 'tcp', 'uprobe']);
  assert.equal(values.bpfStats, 'on');
  assert.equal(values.uprobeLibrary, '/repo/services/app/native/build/libappmarker.so');
  assert.deepEqual(values.brokers, ['kafka:9092']);
  assert.equal(values.kafkaSecurityProtocol, 'PLAINTEXT');
  assert.deepEqual(container.env?.find((e) => e.name === 'NODE_NAME')?.valueFrom, {
    fieldRef: { fieldPath: 'spec.nodeName' },
  });

  const least = podOf(await render('least-privilege.yaml'), 'DaemonSet', 'observer');
  const leastValues = observerSettings(least.container);
  assert.equal(leastValues.pidfile, '/run/obscost/app.pid');
  assert.equal(leastValues.comm, undefined);
  assert.equal(leastValues.uid, 1000);
  assert.deepEqual(leastValues.probes, ['write', 'tcp']);
  const pidDir = least.pod.volumes?.find((v) => v.hostPath?.path === '/run/obscost');
  assert.ok(least.container.volumeMounts?.some((m) => m.name === pidDir?.name && m.readOnly));
});

test(
  'Kafka over TLS with a SASL login: the CA and the password from Secrets',
  TIMEOUT,
  async () => {
    const objects = await render('tls-sasl.yaml');
    for (const [kind, component] of [
      ['DaemonSet', 'observer'],
      ['Deployment', 'aggregator'],
    ] as const) {
      const { pod, container } = podOf(objects, kind, component);
      // The Kafka settings are one table (lib/flags), the same for both.
      const values = observerSettings({ env: container.env ?? [] });
      assert.equal(values.kafkaSecurityProtocol, 'SASL_SSL');
      assert.equal(values.kafkaSaslMechanism, 'SCRAM-SHA-256');
      assert.equal(values.kafkaSaslUsername, 'obscost');
      assert.equal(values.brokers.length, 3);
      assert.deepEqual(container.env?.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom, {
        secretKeyRef: { name: 'obscost-kafka-login', key: 'password' },
      });
      const ca = pod.volumes?.find((v) => v.secret?.secretName === 'kafka-ca');
      const mount = container.volumeMounts?.find((m) => m.name === ca?.name);
      assert.equal(values.kafkaCaFile, `${mount?.mountPath ?? '?'}/ca.crt`);
    }
    const made = await render('sasl-password.yaml');
    const secret = made.find((o) => o.kind === 'Secret');
    assert.equal(
      Buffer.from(secret?.data?.password ?? '', 'base64').toString(),
      'not-a-real-password',
    );
    const env = podOf(made, 'DaemonSet', 'observer').container.env;
    assert.deepEqual(env?.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef, {
      name: secret?.metadata.name,
      key: 'password',
    });
  },
);

test(
  'the aggregators: one group of N, their own flags, scraped through their Service',
  TIMEOUT,
  async () => {
    const objects = await render('three-aggregators.yaml');
    assert.equal(find(objects, 'Deployment', 'aggregator').spec?.replicas, 3);
    const { container } = podOf(objects, 'Deployment', 'aggregator');
    assert.deepEqual(container.command, ['node', path.relative(ROOT, AGGREGATOR_MAIN)]);
    const config = parseAggregatorArgs(container);
    assert.equal(config.groupId, 'obscost-aggregator');
    assert.equal(config.instanceId, '$(POD_NAME)');
    assert.equal(config.exporter, 'both');
    const collector = find(objects, 'Service', 'collector');
    assert.equal(config.otlpUrl, `http://${collector.metadata.name}:4318/v1/metrics`);
    assert.ok(collector.spec?.ports?.some((p) => p.port === 4318));
    const annotations = find(objects, 'Service', 'aggregator').metadata.annotations ?? {};
    assert.equal(annotations['prometheus.io/port'], String(config.port));
    assert.equal(annotations['prometheus.io/scrape'], 'true');
  },
);

test(
  'the Collector runs otel/collector.yaml; the ServiceMonitor covers every metrics port',
  TIMEOUT,
  async () => {
    const objects = await render('service-monitor.yaml');
    const configMap = find(objects, 'ConfigMap', 'collector');
    const config = readFileSync(path.join(ROOT, 'otel/collector.yaml'), 'utf8');
    assert.equal(configMap.data?.['collector.yaml'], config.trimEnd());
    const { pod, container } = podOf(objects, 'Deployment', 'collector');
    const volume = pod.volumes?.find((v) => v.configMap?.name === configMap.metadata.name);
    const mount = container.volumeMounts?.find((m) => m.name === volume?.name);
    assert.deepEqual(container.args, ['--config', `${mount?.mountPath ?? '?'}/collector.yaml`]);

    const monitor = objects.find((o) => o.kind === 'ServiceMonitor')?.spec;
    assert.ok(monitor);
    assert.deepEqual(
      monitor.endpoints?.map((e) => e.port),
      ['metrics'],
    );
    const selector = Object.entries(monitor.selector?.matchLabels ?? {});
    const services = objects.filter((o) => o.kind === 'Service');
    for (const service of services) {
      const labels = service.metadata.labels ?? {};
      assert.ok(
        selector.every(([key, value]) => labels[key] === value),
        service.metadata.name,
      );
      assert.ok(
        service.spec?.ports?.some((p) => p.name === 'metrics'),
        service.metadata.name,
      );
      assert.equal(service.metadata.annotations, undefined, 'no scrape annotations beside it');
    }
  },
);
