import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { LoadResult } from '@obscost/bench';
import { APP_METRICS } from '@obscost/events';
import { loadInfraConfig, ROOT, type InfraConfig } from '@obscost/infra';
import { seriesValue } from '@obscost/measure';
import { freePorts, listening, runToEnd, type Finished } from '@obscost/process';
import {
  BENCH_CLI,
  partitionLeadership,
  startApp,
  startKafkaNode,
  stopKafkaNode,
  type PartitionLeadership,
  type RunningApp,
} from '@obscost/infra';

export {
  AGGREGATOR_MAIN,
  BENCH_CLI,
  REPLAY_MAIN,
  startAggregator,
  type RunningAggregator,
  RUNNER_MAIN,
  startApp,
  startObserver,
  OBSERVER_MAIN,
  type RunningApp,
  type RunningObserver,
} from '@obscost/infra';
export { scrape, seriesValue } from '@obscost/measure';
export { freePorts, listening, startChild, waitFor, type Child } from '@obscost/process';

export function runBench(args: string[]): Promise<Finished> {
  return runToEnd(process.execPath, [BENCH_CLI, ...args]);
}

/** Runs a command to completion, collecting its output. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Finished> {
  return runToEnd(command, args, { env });
}

export const INFRA_CLI = path.join(ROOT, 'infra/dist/src/cli.js');

/** `size` free ports in a row: a three-node Kafka takes six from KAFKA_PORT on (kafka-nodes.ts). */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const [base = 0] = await freePorts(1);
    if (base + size > 65535) continue;
    const taken = await Promise.all(Array.from({ length: size }, (_, i) => listening(base + i)));
    if (!taken.includes(true)) return base;
  }
  throw new Error(`no ${size} free ports in a row`);
}

export interface OwnKafka {
  env: NodeJS.ProcessEnv;
  config: InfraConfig;
  brokers: string;
  up(): Promise<void>;
  down(): Promise<void>;
  /**
   * Stops one node (node 1 by default) and waits until its process is gone: SIGKILL (the
   * default) is a crash, SIGTERM a controlled shutdown.
   */
  kill(node?: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts a stopped node again with its data; resolves once the cluster lists it. */
  start(node: number): Promise<void>;
  /** Who leads the partition of `topic` (the events topic by default) now, and who should. */
  leadership(partition: number, topic?: string): Promise<PartitionLeadership>;
}

/**
 * A Kafka of the test's own: free ports, a fresh work directory, stopped at the end.
 * `up` again after `down` finds the same data.
 */
export async function ownKafka(
  t: TestContext,
  {
    start = true,
    partitions = 1,
    nodes = 1,
    settings = {},
  }: {
    start?: boolean;
    partitions?: number;
    /** 1, or 3 combined broker+controller nodes on six ports in a row (kafka-nodes.ts). */
    nodes?: 1 | 3;
    settings?: Record<string, string>;
  } = {},
): Promise<OwnKafka> {
  const port = await freePortBlock(2 * nodes);
  const env = {
    ...settings,
    OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-kafka-test-')),
    KAFKA_NODES: String(nodes),
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_EVENTS_PARTITIONS: String(partitions),
  };
  const config = loadInfraConfig({ ...process.env, ...env });
  const infra = async (command: string): Promise<void> => {
    const result = await run(
      process.execPath,
      [INFRA_CLI, command, ...(command === 'up' ? ['kafka'] : [])],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
  };
  const kafka = {
    env,
    config,
    brokers: config.kafka.brokers,
    up: () => infra('up'),
    down: () => infra('down'),
    kill: (node = 1, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') =>
      stopKafkaNode(config, node, signal),
    start: (node: number) => startKafkaNode(config, node),
    leadership: (partition: number, topic = config.kafka.eventsTopic) =>
      partitionLeadership(config, topic, partition),
  };
  // node:test runs `after` hooks in the order they were registered and skips the rest once
  // one throws: this one must not, or the app and observer registered after it keep running.
  t.after(async () => {
    const down = await run(process.execPath, [INFRA_CLI, 'down'], env);
    if (down.code !== 0) t.diagnostic(`kafka down: ${down.stderr}`);
    rmSync(env.OBSCOST_WORK_DIR, { recursive: true, force: true });
  });
  if (start) await kafka.up();
  return kafka;
}

/** One line of the app's request log. */
export interface LogLine {
  time: string;
  method: string;
  route: string;
  status: number;
  bytes: number;
  duration_ms: number;
}

/** The app's own count of GET requests to `route` with `code`. */
export function requestsTotal(exposition: string, route: string, code: number): number {
  return seriesValue(
    exposition,
    `${APP_METRICS.requests}{path="${route}",method="GET",code="${code}"}`,
  );
}

/** The request log's lines; none while the app has not yet created the file (it opens it asynchronously). */
export function readLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

/** The bench's JSON result; it must succeed and print nothing on stderr (no TTY). */
export async function benchJson(args: string[]): Promise<LoadResult> {
  const result = await runBench([...args, '-json']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '', 'no progress line when stderr is not a terminal');
  return JSON.parse(result.stdout) as LoadResult;
}

/** A test with a fresh app of its own, its request log in a fresh directory; both go after. */
export function withApp(
  name: string,
  body: (app: RunningApp, logFile: string, t: TestContext) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): void {
  test(name, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-'));
    const logFile = path.join(dir, 'requests.log');
    const app = await startApp({ APP_LOG_FILE: logFile, ...env });
    t.after(async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    await body(app, logFile, t);
  });
}

/**
 * A small disk for one test: a tmpfs of `size` (`64k`) on a new directory, unmounted and
 * removed after the test. Lazily unmounted: a process still running (a failed assertion) may
 * hold a file open on it.
 */
export function smallDisk(t: TestContext, size: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-disk-'));
  let mounted = false;
  t.after(() => {
    if (mounted) execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounted = true;
  return dir;
}
