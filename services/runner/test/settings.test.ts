import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { ROOT } from '@obscost/infra';
import { RunError } from '../src/errors.js';
import { parseRunArgs, SETTINGS } from '../src/settings.js';

test('defaults, flags, and --help', () => {
  assert.deepEqual(parseRunArgs([]), {
    scenarios: [
      'baseline',
      'sidecar',
      'otel-sdk',
      'bpftrace',
      'ebpf-core',
      'ebpf-breakpoint',
      'ebpf-inkernel',
    ],
    durationMs: 8000,
    capacityMs: 3000,
    warmupMs: 1000,
    conns: 50,
    rate: undefined,
    productionRate: undefined,
    rateFraction: 0.25,
    repeat: undefined,
    minRounds: 5,
    target: 0.03,
    budgetMs: 600_000,
    confidence: 0.95,
    maxForeign: 0.05,
    calibrationUs: undefined,
    noControls: false,
    path: '/ping',
    appCpus: undefined,
    otherCpus: undefined,
    bpfStats: 'off',
    out: path.join(ROOT, '.work/report'),
    service: undefined,
    serviceUrl: undefined,
    serviceRuntime: 'other',
    serviceMarker: undefined,
    serviceComm: undefined,
    serviceLog: undefined,
    serviceLogFormat: 'clf',
  });
  const parsed = parseRunArgs([
    ...['--scenarios', 'ebpf-core,sidecar', '--dur', '500ms', '--conns', '4', '--rate', '2000'],
    ...['--repeat', '3', '--app-cpus', '1', '--other-cpus', '0,2-3', '--out', 'here'],
  ]);
  assert.ok(parsed);
  assert.deepEqual(
    parsed.scenarios,
    ['baseline', 'sidecar', 'ebpf-core'],
    'baseline first, in order',
  );
  assert.equal(parsed.durationMs, 500);
  assert.equal(parsed.rate, 2000);
  assert.equal(parsed.repeat, 3);
  assert.deepEqual(parsed.appCpus, [1]);
  assert.deepEqual(parsed.otherCpus, [0, 2, 3]);
  assert.equal(parsed.out, path.resolve('here'));
  assert.equal(parseRunArgs(['-h']), undefined);
});

test('a bad flag is a RUN_USAGE error naming it', () => {
  for (const [argv, message] of [
    [['--conns', '0'], '--conns must be a positive integer, got "0"'],
    [['--conns', '-3'], '--conns must be a positive integer, got "-3"'],
    [
      ['--dur', 'soon'],
      '--dur: invalid duration "soon": use a number with a unit, e.g. 500ms, 20s, 1m30s',
    ],
    [
      ['--scenarios', 'baseline,dtrace'],
      '--scenarios: unknown scenario "dtrace": one of baseline, sidecar, otel-sdk, bpftrace, ebpf-core, ebpf-breakpoint, ebpf-inkernel',
    ],
    [['--scenarios', ','], '--scenarios names no scenario'],
    [['--rate-fraction', '1.5'], '--rate-fraction must be at most 1, got "1.5"'],
    [['--app-cpus', 'one'], '--app-cpus must list CPUs such as 1 or 0,2-3, got "one"'],
    [['--path', 'ping'], '--path must start with /, got "ping"'],
    [['--repeat', '0'], '--repeat must be an integer from 1 to 100, got "0"'],
    [['--nope'], "Unknown option '--nope'"],
    [['--service', './server'], '--service needs --service-url: where the service answers'],
    [['--service', ' ', '--service-url', 'http://127.0.0.1:8080'], '--service must name a command'],
    [['--service-url', 'http://127.0.0.1:8080'], '--service-url needs --service'],
    [['--service-marker', './server:AppWrite'], '--service-marker needs --service'],
    [['--service-log', 'access.log'], '--service-log needs --service'],
    [['--service-comm', 'server'], '--service-comm needs --service'],
    [
      ['--service-comm', 'a-very-long-server-name'],
      '--service-comm must be a command name of 1 to 15 characters, as /proc/PID/comm shows it (the kernel cuts longer names), got "a-very-long-server-name"',
    ],
    [
      ['--service-comm', 'my"app'],
      '--service-comm must not hold a quote, a backslash or a newline, got "my"app"',
    ],
    [['--service-log-format', 'apache'], '--service-log-format must be clf or json, got "apache"'],
    [
      ['--service', './s', '--service-url', 'http://127.0.0.1:1', '--service-marker', 'AppWrite'],
      '--service-marker must be FILE:SYMBOL, e.g. ./server:main.AppWrite, got "AppWrite"',
    ],
    [
      ['--service-runtime', 'rust'],
      '--service-runtime must be node, python, go, java or other, got "rust"',
    ],
    [
      ['--service', './server', '--service-url', '127.0.0.1:8080'],
      '--service-url must be a URL such as http://127.0.0.1:8080/ping, got "127.0.0.1:8080"',
    ],
    [
      ['--service', './server', '--service-url', 'localhost'],
      '--service-url must be a URL such as http://127.0.0.1:8080/ping, got "localhost"',
    ],
    [
      ['--service', './server', '--service-url', 'https://127.0.0.1:8443/'],
      '--service-url must be an http:// URL, got "https://127.0.0.1:8443/"',
    ],
    [
      ['--service', './server', '--service-url', 'http://127.0.0.1/ping'],
      '--service-url must name the port the service listens on, got "http://127.0.0.1/ping"',
    ],
  ] as const) {
    assert.throws(
      () => parseRunArgs(argv),
      (err: unknown) => err instanceof RunError && err.exitCode === 2 && err.message === message,
      message,
    );
  }
});

test('--service: the command, its origin, and the route from its URL or --path', () => {
  const named = parseRunArgs([
    '--service',
    'env PORT=8080 ./server -v',
    '--service-url',
    'http://127.0.0.1:8080/work?ms=2',
  ]);
  assert.deepEqual(named?.serviceSpec, {
    command: 'env PORT=8080 ./server -v',
    origin: 'http://127.0.0.1:8080',
    path: '/work?ms=2',
    runtime: 'other',
  });
  const bare = parseRunArgs([
    ...['--service', './server', '--service-url', 'http://localhost:9000', '--path', '/health'],
  ]);
  assert.deepEqual(bare?.serviceSpec, {
    command: './server',
    origin: 'http://localhost:9000',
    path: '/health',
    runtime: 'other',
  });
  const marked = parseRunArgs([
    ...['--service', './server', '--service-url', 'http://127.0.0.1:8080'],
    ...['--service-runtime', 'go', '--service-marker', './server:main.AppWrite'],
  ]);
  assert.equal(marked?.serviceSpec?.runtime, 'go');
  assert.deepEqual(marked.serviceSpec.marker, {
    file: path.resolve('server'),
    symbol: 'main.AppWrite',
  });
  assert.equal(parseRunArgs([])?.serviceSpec, undefined, "no service: the project's app");
  const named15 = parseRunArgs([
    ...['--service', './server', '--service-url', 'http://127.0.0.1:8080'],
    ...['--service-comm', 'gunicorn: work'],
  ]);
  assert.equal(named15?.serviceSpec?.comm, 'gunicorn: work', 'a comm may hold spaces');
});

test('--service-log: the file made absolute, in CLF unless --service-log-format says json', () => {
  const service = ['--service', './server', '--service-url', 'http://127.0.0.1:8080'];
  assert.deepEqual(parseRunArgs([...service, '--service-log', 'access.log'])?.serviceSpec?.log, {
    file: path.resolve('access.log'),
    format: 'clf',
  });
  const json = parseRunArgs([
    ...service,
    ...['--service-log', '/var/log/app.jsonl', '--service-log-format', 'json'],
  ]);
  assert.deepEqual(json?.serviceSpec?.log, { file: '/var/log/app.jsonl', format: 'json' });
  assert.equal(parseRunArgs(service)?.serviceSpec?.log, undefined, 'no log: the sidecar skips');
});

test("the docs' flags table is the settings table", () => {
  const page = readFileSync(path.join(ROOT, 'docs/infrastructure.md'), 'utf8');
  const rows = docRows(SETTINGS);
  assert.deepEqual(markdownTableRows(page, rows[0] ?? []), rows);
});

test('--service-config FILE: the service flags from a JSON file, the command line winning', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-service-config-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'service.json');
  writeFileSync(
    file,
    JSON.stringify({
      service: 'env PORT=8080 ./server',
      'service-url': 'http://127.0.0.1:8080/ping',
      'service-runtime': 'go',
      'service-marker': './server:main.AppWrite',
    }),
  );
  const spec = parseRunArgs(['--service-config', file])?.serviceSpec;
  assert.deepEqual(spec, {
    command: 'env PORT=8080 ./server',
    origin: 'http://127.0.0.1:8080',
    path: '/ping',
    runtime: 'go',
    marker: { file: path.resolve('server'), symbol: 'main.AppWrite' },
  });
  const overridden = parseRunArgs([`--service-config=${file}`, '--service-runtime', 'other']);
  assert.equal(overridden?.serviceSpec?.runtime, 'other', 'the command line wins');

  const bad = (name: string, content: string) => {
    const where = path.join(dir, name);
    writeFileSync(where, content);
    return where;
  };
  for (const [argv, message] of [
    [['--service-config'], '--service-config needs a FILE'],
    [
      ['--service-config', path.join(dir, 'none.json')],
      `--service-config ${path.join(dir, 'none.json')} cannot be read: ENOENT: no such file or directory, open '${path.join(dir, 'none.json')}'`,
    ],
    [
      ['--service-config', bad('list.json', '[]')],
      `--service-config ${path.join(dir, 'list.json')} must hold one JSON object of the service's flags`,
    ],
    [
      ['--service-config', bad('key.json', '{"scenarios": "sidecar"}')],
      `--service-config ${path.join(dir, 'key.json')}: unknown key "scenarios": one of service, service-url, service-runtime, service-comm, service-marker, service-log, service-log-format`,
    ],
    [
      ['--service-config', bad('number.json', '{"service-url": 8080}')],
      `--service-config ${path.join(dir, 'number.json')}: "service-url" must be a string`,
    ],
    [
      ['--service-config', bad('url.json', '{"service": "./s", "service-url": "localhost"}')],
      '--service-url must be a URL such as http://127.0.0.1:8080/ping, got "localhost"',
    ],
    [['--service-config', file, '--service-config', file], '--service-config may be given once'],
  ] as const) {
    assert.throws(
      () => parseRunArgs(argv),
      (err: unknown) => err instanceof RunError && err.exitCode === 2 && err.message === message,
      message,
    );
  }
  assert.throws(
    () => parseRunArgs(['--service-config', bad('broken.json', '{')]),
    (err: unknown) => err instanceof RunError && /is not JSON: /.test(err.message),
  );
});
