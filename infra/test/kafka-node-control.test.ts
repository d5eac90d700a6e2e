import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadInfraConfig } from '../src/config.js';
import { InfraError } from '../src/errors.js';
import { kafkaNodeById, startKafkaNode, stopKafkaNode } from '../src/kafka-node-control.js';
import { propertiesText } from '../src/kafka-storage.js';

/** A three-node configuration in a fresh work directory where nothing ever ran. */
function freshCluster(t: { after: (fn: () => void) => void }) {
  const workDir = mkdtempSync(path.join(tmpdir(), 'obscost-node-control-'));
  t.after(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  return loadInfraConfig({ KAFKA_NODES: '3', OBSCOST_WORK_DIR: workDir });
}

function usage(message: RegExp): (err: unknown) => boolean {
  return (err) =>
    err instanceof InfraError && err.code === 'INFRA_USAGE' && message.test(err.message);
}

test('a node is chosen by its id; an id the cluster lacks says which it has', (t) => {
  const config = freshCluster(t);
  assert.deepEqual(kafkaNodeById(config, 2), config.kafka.nodes[1]);
  assert.throws(() => kafkaNodeById(config, 4), usage(/^no Kafka node 4: the nodes are 1, 2, 3$/));
});

test('a node not running cannot be stopped, one never started cannot be restarted', async (t) => {
  const config = freshCluster(t);
  await assert.rejects(stopKafkaNode(config, 1, 'SIGKILL'), usage(/^Kafka node 1 is not running$/));
  await assert.rejects(startKafkaNode(config, 3), usage(/^Kafka node 3 was never started/));
});

test('the template bounds how long a dead broker stalls its partitions, and leadership comes back', () => {
  const config = loadInfraConfig({ KAFKA_NODES: '3' });
  const node = config.kafka.nodes[0];
  assert.ok(node);
  const properties = propertiesText(config, node);
  assert.match(properties, /^broker\.session\.timeout\.ms=4000$/m);
  assert.match(properties, /^broker\.heartbeat\.interval\.ms=1000$/m);
  assert.match(properties, /^leader\.imbalance\.check\.interval\.seconds=10$/m);
});
