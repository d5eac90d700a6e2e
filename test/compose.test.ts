import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '@obscost/app';
import { APP_METRICS, COLLECTOR_METRICS, EVENT_METRICS } from '@obscost/events';
import { composeCheckBinary, loadInfraConfig, ROOT } from '@obscost/infra';
import { parse } from 'yaml';
import { run } from './support.js';

const INFRA = path.join(ROOT, 'infra');
const MODES = [
  'compose.sidecar.yaml',
  'compose.otel.yaml',
  'compose.ebpf.yaml',
  'compose.ebpf-core.yaml',
];

interface ComposeService {
  build?: { context: string; dockerfile: string };
  volumes?: { type: string; source: string }[];
  ports?: { target: number; published: string; host_ip?: string }[];
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  pid?: string;
  environment?: Record<string, string | null>;
  command?: string[] | null;
  entrypoint?: string[] | null;
}
interface ComposeProject {
  services: Record<string, ComposeService>;
}

/** The project as docker compose would load it (schema-validated, paths resolved). */
async function load(...files: string[]): Promise<ComposeProject> {
  const binary = composeCheckBinary(loadInfraConfig());
  const { code, stdout, stderr } = await run(
    binary,
    files.map((file) => path.join(INFRA, file)),
  );
  assert.equal(code, 0, `${files.join(' + ')}: ${stderr}`);
  return JSON.parse(stdout) as ComposeProject;
}

function service(project: ComposeProject, name: string): ComposeService {
  const found = project.services[name];
  assert.ok(found, `service ${name}`);
  return found;
}

function published(project: ComposeProject, name: string): number[] {
  return (service(project, name).ports ?? []).map((p) => Number(p.published)).sort((a, b) => a - b);
}

test('every Compose mode passes the Compose specification and references only existing files', async () => {
  for (const files of [['compose.yaml'], ...MODES.map((mode) => ['compose.yaml', mode])]) {
    const project = await load(...files);
    for (const [name, svc] of Object.entries(project.services)) {
      if (svc.build) {
        const dockerfile = path.join(svc.build.context, svc.build.dockerfile);
        assert.ok(existsSync(dockerfile), `${name}: ${dockerfile}`);
        for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
          const copy = /^COPY (?!--from)(.+) \S+$/.exec(line)?.[1];
          for (const source of copy?.split(/\s+/) ?? []) {
            assert.ok(
              existsSync(path.join(svc.build.context, source)),
              `${dockerfile}: COPY ${source}`,
            );
          }
        }
      }
      for (const volume of svc.volumes ?? []) {
        if (volume.type === 'bind' && volume.source.startsWith(ROOT)) {
          assert.ok(existsSync(volume.source), `${name} (${files.join(' + ')}): ${volume.source}`);
        }
      }
    }
  }
});

/** What loads BPF programs, and the capabilities it is granted: all the others get none. */
const KERNEL_SERVICES = ['observer', 'bpftrace'];
const KERNEL_CAPABILITIES = ['BPF', 'PERFMON', 'SYS_ADMIN'];
const NODE_SERVICES = ['app', 'bench', 'aggregator'];

test('least privilege: nothing privileged, ports on loopback, capabilities only to load BPF', async () => {
  for (const files of [['compose.yaml'], ...MODES.map((mode) => ['compose.yaml', mode])]) {
    const project = await load(...files);
    for (const [name, svc] of Object.entries(project.services)) {
      const where = `${name} (${files.join(' + ')})`;
      assert.ok(svc.privileged !== true, `${where} is privileged`);
      for (const port of svc.ports ?? []) {
        assert.equal(
          port.host_ip,
          '127.0.0.1',
          `${where} publishes ${port.published} beyond loopback`,
        );
      }
      const kernel = KERNEL_SERVICES.includes(name);
      assert.deepEqual(svc.cap_add, kernel ? KERNEL_CAPABILITIES : undefined, where);
      // The host's pid namespace only where the probes' pids must be the host's.
      assert.equal(svc.pid, kernel ? 'host' : undefined, where);
      if (kernel || NODE_SERVICES.includes(name)) assert.deepEqual(svc.cap_drop, ['ALL'], where);
    }
  }
  const grafana = service(await load('compose.yaml'), 'grafana').environment;
  assert.equal(grafana?.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
});

test('the image gets every workspace installed, and nothing installed or built here', () => {
  const workspaces = (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
  ).workspaces;
  const dockerfile = readFileSync(path.join(INFRA, 'docker/node.Dockerfile'), 'utf8');
  const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
  for (const workspace of workspaces) {
    assert.ok(
      beforeInstall.includes(`COPY ${workspace}/package.json ${workspace}/\n`),
      `node.Dockerfile copies ${workspace}/package.json before npm ci`,
    );
  }
  // Each .gitignore entry as .dockerignore spells it: a name without a slash at any depth,
  // one with a slash from the root.
  const patterns = (file: string): string[] =>
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  const ignored = new Set(patterns('.dockerignore'));
  for (const entry of patterns('.gitignore')) {
    const name = entry.replace(/\/$/, '');
    const docker = name.startsWith('/') ? name.slice(1) : name.includes('/') ? name : `**/${name}`;
    assert.ok(ignored.has(docker), `.dockerignore lacks ${docker} (.gitignore: ${entry})`);
  }
  assert.ok(ignored.has('.git'));
});

test('a Compose file that breaks the specification is refused', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-compose-'));
  const file = path.join(dir, 'compose.yaml');
  writeFileSync(file, 'services:\n  app:\n    image: x\n    portz: ["80:80"]\n');
  const refused = await run(composeCheckBinary(loadInfraConfig()), [file]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /portz/);
});

test('Compose ports and variables agree with the native configuration', async () => {
  const native = loadInfraConfig({});
  const c = native.collector;
  const project = await load('compose.yaml', 'compose.sidecar.yaml');
  assert.deepEqual(published(project, 'kafka'), [native.kafka.port]);
  assert.deepEqual(
    published(project, 'collector'),
    [c.otlpGrpcPort, c.otlpHttpPort, c.prometheusPort, c.forwardPort].sort((a, b) => a - b),
  );
  assert.deepEqual(published(project, 'prometheus'), [native.prometheus.port]);
  assert.deepEqual(published(project, 'grafana'), [3000]);
  assert.deepEqual(published(project, 'app'), [loadConfig({}).port]);

  const topics = (service(project, 'kafka-topics').entrypoint ?? []).join(' ');
  for (const topic of [native.kafka.eventsTopic, native.kafka.dlqTopic]) {
    assert.ok(topics.includes(topic), topic);
  }
  assert.ok(topics.includes(`${native.kafka.eventsTopic}:${native.kafka.eventsPartitions}`));

  const collector = service(project, 'collector');
  const configName = collector.command?.[1]?.replace('/etc/otelcol/', '') ?? '';
  assert.equal(path.join(ROOT, 'otel', configName), native.collector.config);
  const logFile = service(project, 'app').environment?.APP_LOG_FILE;
  assert.equal(collector.environment?.APP_LOG_FILE, logFile);

  const fluentBit = parse(readFileSync(path.join(INFRA, 'fluent-bit/fluent-bit.yaml'), 'utf8')) as {
    pipeline: { inputs: { path: string }[]; outputs: { host: string; port: number }[] };
  };
  assert.equal(fluentBit.pipeline.inputs[0]?.path, logFile);
  assert.deepEqual(fluentBit.pipeline.outputs[0], {
    name: 'forward',
    match: 'app.*',
    host: 'collector',
    port: c.forwardPort,
  });

  const core = await load('compose.yaml', 'compose.ebpf-core.yaml');
  assert.deepEqual(published(core, 'observer'), [native.targets.observer]);
  assert.deepEqual(published(core, 'aggregator'), [native.targets.aggregator]);
  for (const name of ['observer', 'aggregator']) {
    assert.equal(
      service(core, name).environment?.KAFKA_BROKERS,
      `kafka:${native.kafka.port}`,
      name,
    );
  }

  const otel = await load('compose.yaml', 'compose.otel.yaml');
  assert.equal(
    service(otel, 'app').environment?.OTEL_EXPORTER_OTLP_ENDPOINT,
    `http://collector:${c.otlpHttpPort}`,
  );
});

test('Prometheus scrapes the same jobs on the same ports, natively and under Compose', () => {
  const native = loadInfraConfig({});
  type Scrape = { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
  const jobs = (file: string): Record<string, string> => {
    const config = parse(readFileSync(path.join(INFRA, 'prometheus', file), 'utf8')) as Scrape;
    return Object.fromEntries(
      config.scrape_configs.map((job) => [
        job.job_name,
        job.static_configs[0]?.targets[0]?.split(':')[1] ?? '',
      ]),
    );
  };
  const dockerPorts = jobs('prometheus.docker.yml');
  assert.deepEqual(dockerPorts, {
    prometheus: String(native.prometheus.port),
    app: String(native.targets.app),
    observer: String(native.targets.observer),
    aggregator: String(native.targets.aggregator),
    collector: String(native.collector.prometheusPort),
    'collector-self': String(native.collector.telemetryPort),
  });
  assert.deepEqual(Object.keys(jobs('prometheus.yml')), Object.keys(dockerPorts));
});

test('the Grafana dashboard queries only metrics the project exports', () => {
  const known = new Set([
    APP_METRICS.requests,
    `${APP_METRICS.requestDuration}_bucket`,
    ...Object.values(EVENT_METRICS).flatMap((family) => [family.events, family.bytes]),
    ...Object.values(COLLECTOR_METRICS),
  ]);
  const dir = path.join(INFRA, 'grafana/dashboards');
  for (const file of readdirSync(dir)) {
    const dashboard = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    for (const target of dashboard.panels.flatMap((panel) => panel.targets)) {
      for (const metric of target.expr.match(/\b(app|log|otel)_[a-z_]+\b/g) ?? []) {
        assert.ok(known.has(metric), `${file}: ${metric}`);
      }
    }
  }
});
