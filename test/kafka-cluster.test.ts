import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  kafkaClient,
  kafkaLibs,
  loadInfraConfig,
  ROOT,
  roundTrip,
  topicConfig,
} from '@obscost/infra';
import { freePortBlock, INFRA_CLI, listening, run } from './support.js';

/** The pids whose command line names `dir`: every node's java names its server.properties. */
function processesUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function rssMiB(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(line?.[1] ?? 0) / 1024);
}

interface Quorum {
  leaderId: number;
  voters: number[];
  observers: number[];
}

test(
  'three Kafka nodes: a replicated cluster up, used, and down',
  { timeout: 170_000 },
  async (t) => {
    const base = await freePortBlock(6);
    const env = {
      OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-kafka-cluster-')),
      KAFKA_NODES: '3',
      KAFKA_PORT: String(base),
      KAFKA_CONTROLLER_PORT: String(base + 1),
    };
    const config = loadInfraConfig({ ...process.env, ...env });
    const infra = (...args: string[]) => run(process.execPath, [INFRA_CLI, ...args], env);
    t.after(async () => {
      await infra('down');
      for (const pid of processesUsing(config.workDir)) process.kill(pid, 'SIGKILL');
      rmSync(config.workDir, { recursive: true, force: true });
    });

    const up = await infra('up', 'kafka');
    assert.equal(up.code, 0, up.stderr);
    const [, seconds] = /^kafka: up in ([\d.]+) s \(pid \d+\)$/m.exec(up.stdout) ?? [];
    assert.ok(seconds, up.stdout);
    const pids = processesUsing(config.workDir);
    assert.equal(pids.length, 3);
    t.diagnostic(`three nodes up in ${seconds} s, RSS ${pids.map(rssMiB).join(', ')} MiB`);

    const status = await infra('status');
    assert.match(
      status.stdout,
      /^kafka\s+up \(kafka-1 pid \d+, kafka-2 pid \d+, kafka-3 pid \d+\)$/m,
    );

    const { code, stdout, stderr } = await run('java', [
      ...['-cp', `${kafkaLibs(config)}/*`],
      ...[path.join(ROOT, 'infra/kafka/DescribeQuorum.java'), config.kafka.brokers],
    ]);
    assert.equal(code, 0, stderr);
    const quorum = JSON.parse(stdout) as Quorum;
    assert.deepEqual(quorum.voters, [1, 2, 3]);
    assert.deepEqual(quorum.observers, []);
    assert.ok(quorum.voters.includes(quorum.leaderId), stdout);

    const admin = kafkaClient(config, 'kafka-cluster-test').admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const cluster = await admin.describeCluster();
    assert.deepEqual(cluster.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    const { topics } = await admin.fetchTopicMetadata({
      topics: [config.kafka.eventsTopic, config.kafka.dlqTopic],
    });
    const events = topics.find((topic) => topic.name === config.kafka.eventsTopic);
    assert.equal(events?.partitions.length, 12);
    for (const topic of topics) {
      for (const partition of topic.partitions) {
        assert.equal(partition.replicas.length, 3, `${topic.name} ${partition.partitionId}`);
      }
    }
    const entries = await topicConfig(config, config.kafka.eventsTopic);
    assert.equal(entries.get('min.insync.replicas'), '2');
    assert.equal(entries.get('unclean.leader.election.enable'), 'false');

    // Produces with acks=all (two copies at least) and consumes the message back.
    assert.equal(await roundTrip(config), true);

    const down = await infra('down');
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^kafka: stopped/m);
    assert.deepEqual(processesUsing(config.workDir), []);
    const open = await Promise.all(
      config.kafka.nodes.flatMap((n) => [n.port, n.controllerPort]).map((port) => listening(port)),
    );
    assert.deepEqual(open, [false, false, false, false, false, false]);
    const after = await infra('status');
    assert.match(after.stdout, /^kafka\s+down \(kafka-1 down, kafka-2 down, kafka-3 down\)$/m);
  },
);
