import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { missingCapabilities, uprobeNeedsAdmin } from '../src/capabilities.js';
import { parseObserverArgs } from '../src/config.js';
import { parseSize, SETTINGS } from '../src/settings.js';
import { ObserverError } from '../src/errors.js';
import { preflight } from '../src/preflight.js';
import type { Probe } from '../src/probe-vocabulary.js';
import { verifierReason } from '../src/bpf-object.js';

test('flags: target, sizes and defaults', () => {
  const config = parseObserverArgs(['--pid', '42', '--ring-buffer-size', '64K'], {});
  assert.ok(config);
  assert.deepEqual(config.target, { pid: 42 });
  assert.equal(config.ringBufferBytes, 65536);
  assert.equal(config.port, 9100);
  assert.equal(config.tcpProbe, 'auto');
  assert.equal(config.uprobeSymbol, 'app_write');
  assert.equal(config.followForks, false);
  const tree = parseObserverArgs(['--tree', '42'], {});
  assert.deepEqual([tree?.target, tree?.followForks], [{ tree: 42 }, true]);
  assert.equal(parseObserverArgs(['--comm', 'node'], { OBSERVER_PORT: '9200' })?.port, 9200);
  assert.deepEqual(parseObserverArgs(['--pidfile', '/run/app.pid'], {})?.target, {
    pidfile: '/run/app.pid',
  });
  assert.equal(parseSize('16M'), 16 * 1024 * 1024);
});

test('bad flags are usage errors (exit 2) naming the flag', () => {
  for (const [argv, message] of [
    [[], /exactly one of --pid, --tree, --pidfile or --comm/],
    [['--tree', '1', '--pid', '1'], /exactly one of/],
    [['--pid', '1', '--comm', 'x'], /exactly one of/],
    [['--pid', 'abc'], /--pid must be an integer/],
    [['--pid', '1', '--ring-buffer-size', '3000'], /--ring-buffer-size must be a power of 2/],
    [['--pid', '1', '--ring-buffer-size', '12K'], /power of 2/],
    [['--pid', '1', '--tcp-probe', 'fentry'], /--tcp-probe must be auto, kprobe or tracepoint/],
    [['--pid', '1', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['--pid', '1', '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    assert.throws(
      () => parseObserverArgs([...argv], {}),
      (err: unknown) => {
        assert.ok(err instanceof ObserverError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test('Kafka settings from the environment, --no-kafka, and the made default of the observer id', () => {
  const config = parseObserverArgs(['--pid', '1'], {
    KAFKA_BROKERS: 'a:1,b:2',
    KAFKA_EVENTS_TOPIC: 'events',
  });
  assert.ok(config && Object.isFrozen(config));
  assert.deepEqual(config.kafka, {
    brokers: ['a:1', 'b:2'],
    security: {},
    topic: 'events',
    compression: 'none',
    bufferBytes: 64 * 1024 * 1024,
    flushTimeoutMs: 5000,
  });
  assert.equal(config.observerId, `${hostname()}:${process.pid}`);
  assert.equal(config.batchBytes, 64 * 1024);
  assert.equal(parseObserverArgs(['--pid', '1', '--no-kafka'], {})?.kafka, undefined);
  assert.equal(parseObserverArgs(['--help'], {}), undefined);
  for (const [argv, env, message] of [
    [[], { KAFKA_BROKERS: 'nope' }, /^KAFKA_BROKERS must be host:port/],
    [['--batch-bytes', '512K'], {}, /^--batch-bytes must be a size from 1024 to 262144 bytes/],
    [['--compression', 'zstd'], {}, /^--compression must be none or gzip, got "zstd"$/],
  ] as const) {
    assert.throws(
      () => parseObserverArgs(['--pid', '1', ...argv], env),
      (err: unknown) =>
        err instanceof ObserverError && err.exitCode === 2 && message.test(err.message),
    );
  }
});

test('the option table in docs/observer.md is SETTINGS', () => {
  const page = readFileSync(
    path.resolve(import.meta.dirname, '../../../../docs/observer.md'),
    'utf8',
  );
  const rows = docRows(SETTINGS);
  assert.deepEqual(markdownTableRows(page, rows[0] ?? []), rows);
});

/** A /proc/self/status holding these effective capabilities. */
const status = (capEff: string): string => `Name:\tx\nCapEff:\t${capEff}\n`;
const ALL = '000001ffffffffff';
const NONE = '0000000000000000';
const BPF_PERFMON = '000000c000000000';
const SYS_ADMIN = '0000000000200000';
const USES = [
  { bpfStats: true, uprobe: true },
  { bpfStats: true, uprobe: false },
  { bpfStats: false, uprobe: true },
  { bpfStats: false, uprobe: false },
];

test('missing capabilities are named: CAP_SYS_ADMIN only for the uprobe or the BPF statistics', () => {
  for (const uses of USES) {
    const admin = uses.bpfStats || uses.uprobe;
    assert.deepEqual(missingCapabilities(uses, status(ALL)), []);
    // The kernel takes CAP_SYS_ADMIN for CAP_BPF and CAP_PERFMON.
    assert.deepEqual(missingCapabilities(uses, status(SYS_ADMIN)), []);
    assert.deepEqual(missingCapabilities(uses, status(NONE)), [
      'CAP_BPF',
      'CAP_PERFMON',
      ...(admin ? ['CAP_SYS_ADMIN'] : []),
    ]);
    assert.deepEqual(
      missingCapabilities(uses, status(BPF_PERFMON)),
      admin ? ['CAP_SYS_ADMIN'] : [],
    );
  }
  const off = { bpfStats: false, uprobe: false };
  assert.deepEqual(missingCapabilities(off, status('0000008000000000')), ['CAP_PERFMON']);
});

test('preflight refuses missing capabilities first, and says what does without CAP_SYS_ADMIN', () => {
  const refused = (
    uses: { bpfStats: boolean; uprobe: boolean },
    capEff: string,
    kernelRelease = '6.18.44',
  ): string => {
    const probes: Probe[] = uses.uprobe ? ['tcp', 'uprobe'] : ['tcp'];
    try {
      preflight(
        { btfPath: '/nonexistent/vmlinux', bpfStats: uses.bpfStats, probes },
        { status: status(capEff), kernelRelease },
      );
    } catch (err) {
      assert.ok(err instanceof ObserverError);
      assert.equal(err.exitCode, 1);
      return err.code === 'OBS_MISSING_CAPABILITIES' ? err.message : 'capabilities passed';
    }
    return 'passed';
  };
  const [both, stats, uprobe, none] = USES.map((uses) => refused(uses, BPF_PERFMON));
  const head =
    'missing capabilities: CAP_SYS_ADMIN (run as root, or grant them; CAP_SYS_ADMIN is for';
  const tail = 'CAP_BPF and CAP_PERFMON suffice)';
  assert.equal(
    both,
    `${head} the uprobe and the BPF statistics: with --probes tcp --bpf-stats off ${tail}`,
  );
  assert.equal(stats, `${head} the BPF statistics: with --bpf-stats off ${tail}`);
  assert.equal(uprobe, `${head} the uprobe: with --probes tcp ${tail}`);
  // The capabilities pass: the next check (tracefs, then the BTF given here) refuses.
  assert.equal(none, 'capabilities passed');
  // Before 6.16 the kernel may take CAP_PERFMON for a uprobe: the attach says if it does not.
  assert.equal(refused({ bpfStats: false, uprobe: true }, BPF_PERFMON, '6.12.118'), none);
  assert.equal(uprobeNeedsAdmin('7.3.4+deb13-cloud-amd64'), true);
  assert.equal(uprobeNeedsAdmin('6.16.0'), true);
  assert.equal(uprobeNeedsAdmin('6.15.9'), false);
  assert.equal(uprobeNeedsAdmin('5.10.0-32-cloud-amd64'), false);
  assert.equal(
    refused({ bpfStats: false, uprobe: false }, NONE),
    'missing capabilities: CAP_BPF, CAP_PERFMON (run as root, or grant them)',
  );
});

test('--probes: all three by default, any of them in their order, nothing else', () => {
  const parse = (...argv: string[]) => parseObserverArgs(['--pid', '1', ...argv], {});
  assert.deepEqual(parse()?.probes, ['write', 'tcp', 'uprobe']);
  assert.deepEqual(parse('--probes', 'uprobe,write')?.probes, ['write', 'uprobe']);
  assert.deepEqual(parse('--probes', 'tcp')?.probes, ['tcp']);
  for (const [text, message] of [
    ['', '--probes names no probe'],
    ['write,exec', '--probes: unknown probe "exec": one of write, tcp, uprobe'],
  ] as const) {
    assert.throws(
      () => parse('--probes', text),
      (err: unknown) =>
        err instanceof ObserverError && err.exitCode === 2 && err.message === message,
    );
  }
});

test('--bpf-stats: off by default (it costs every BPF program run), on by flag, nothing else', () => {
  const parse = (...argv: string[]) => parseObserverArgs(['--pid', '1', ...argv], {});
  assert.equal(parse()?.bpfStats, false);
  assert.equal(parse('--bpf-stats', 'on')?.bpfStats, true);
  assert.equal(parse('--bpf-stats', 'off')?.bpfStats, false);
  assert.throws(
    () => parse('--bpf-stats', 'no'),
    (err: unknown) =>
      err instanceof ObserverError &&
      err.exitCode === 2 &&
      err.message === '--bpf-stats must be on or off, got "no"',
  );
});

test('--mode count: no Kafka, the smallest ring buffer, and no capture file', () => {
  const parse = (...argv: string[]) => parseObserverArgs(['--pid', '1', ...argv], {});
  assert.equal(parse()?.mode, 'ring');
  const counting = parse('--mode', 'count', '--ring-buffer-size', '64M');
  assert.equal(counting?.mode, 'count');
  assert.equal(counting.kafka, undefined);
  assert.equal(counting.ringBufferBytes, 4096);
  assert.throws(
    () => parse('--mode', 'count', '--capture', '/tmp/run.avro'),
    (err: unknown) =>
      err instanceof ObserverError &&
      err.exitCode === 2 &&
      err.message === '--capture needs --mode ring: in count mode no event leaves the kernel',
  );
});

test("the verifier's reason is the end of its log", () => {
  const log = [
    'func#0 @0',
    '0: R1=ctx() R10=fp0',
    '0: (79) r1 = *(u64 *)(r1 +24)',
    '1: (61) r0 = *(u32 *)(r1 +0)',
    "R1 invalid mem access 'scalar'",
    'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    '',
  ].join('\n');
  assert.equal(
    verifierReason(log),
    "1: (61) r0 = *(u32 *)(r1 +0) / R1 invalid mem access 'scalar'",
  );
});
