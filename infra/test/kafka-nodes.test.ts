import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PORTS } from '@obscost/flags';
import { loadInfraConfig } from '../src/config.js';
import { InfraError } from '../src/errors.js';
import { propertiesText } from '../src/kafka-storage.js';

function usageMessage(env: NodeJS.ProcessEnv): string {
  try {
    loadInfraConfig(env);
  } catch (err) {
    assert.ok(err instanceof InfraError);
    assert.equal(err.code, 'INFRA_USAGE');
    return err.message;
  }
  assert.fail('no error');
}

test('one node by default, with the heap and partitions it always had', () => {
  const { kafka } = loadInfraConfig({});
  assert.deepEqual(kafka.nodes, [{ id: 1, port: 9092, controllerPort: 9093 }]);
  assert.equal(kafka.brokers, '127.0.0.1:9092');
  assert.equal(kafka.heap, '512m');
  assert.equal(kafka.eventsPartitions, 3);
});

test('three nodes: every other port from KAFKA_PORT and KAFKA_CONTROLLER_PORT on', () => {
  const { kafka } = loadInfraConfig({ KAFKA_NODES: '3' });
  assert.deepEqual(kafka.nodes, [
    { id: 1, port: 9092, controllerPort: 9093 },
    { id: 2, port: 9094, controllerPort: 9095 },
    { id: 3, port: 9096, controllerPort: 9097 },
  ]);
  assert.equal(kafka.brokers, '127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096');
  assert.equal(kafka.heap, '256m');
  assert.equal(kafka.eventsPartitions, 12);
  const others = Object.entries(PORTS).filter(([name]) => !name.startsWith('kafka'));
  for (const node of kafka.nodes) {
    for (const port of [node.port, node.controllerPort]) {
      assert.deepEqual(
        others.filter(([, p]) => p === port),
        [],
        `${port} is another component's default`,
      );
    }
  }
});

test('three nodes: KAFKA_HEAP and KAFKA_EVENTS_PARTITIONS still override', () => {
  const { kafka } = loadInfraConfig({
    KAFKA_NODES: '3',
    KAFKA_HEAP: '384m',
    KAFKA_EVENTS_PARTITIONS: '24',
  });
  assert.equal(kafka.heap, '384m');
  assert.equal(kafka.eventsPartitions, 24);
});

test('another node count, colliding ports or SASL_SSL on three nodes are refused', () => {
  for (const count of ['2', '0', '4', 'three']) {
    assert.match(usageMessage({ KAFKA_NODES: count }), /^KAFKA_NODES must be 1 or 3, got "/);
  }
  assert.equal(
    usageMessage({ KAFKA_NODES: '3', KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19094' }),
    'KAFKA_PORT 19092 and KAFKA_CONTROLLER_PORT 19094 give 3 nodes the ports 19092, 19094, 19094, 19096, 19096, 19098: each must be distinct and at most 65535',
  );
  assert.match(
    usageMessage({ KAFKA_NODES: '3', KAFKA_PORT: '65532', KAFKA_CONTROLLER_PORT: '65533' }),
    /at most 65535$/,
  );
  assert.equal(
    usageMessage({
      KAFKA_NODES: '3',
      KAFKA_SASL_SSL_PORT: '19100',
      KAFKA_TLS_KEYSTORE: '/k.pem',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    }),
    'KAFKA_SASL_SSL_PORT works with KAFKA_NODES=1 only',
  );
});

test("one node's server.properties: a static quorum of itself, one copy of everything", () => {
  const config = loadInfraConfig({ OBSCOST_WORK_DIR: '/w' });
  const [node] = config.kafka.nodes;
  assert.ok(node);
  const text = propertiesText(config, node);
  assert.match(text, /^node\.id=1$/m);
  assert.match(text, /^controller\.quorum\.voters=1@127\.0\.0\.1:9093$/m);
  assert.doesNotMatch(text, /bootstrap\.servers/);
  assert.match(text, /^log\.dirs=\/w\/kafka\/data$/m);
  assert.match(text, /^offsets\.topic\.replication\.factor=1$/m);
  assert.match(text, /^min\.insync\.replicas=1$/m);
});

test("a cluster node's server.properties: the controllers to ask, three copies, two in sync", () => {
  const config = loadInfraConfig({ OBSCOST_WORK_DIR: '/w', KAFKA_NODES: '3' });
  const node = config.kafka.nodes[1];
  assert.ok(node);
  const text = propertiesText(config, node);
  assert.match(text, /^node\.id=2$/m);
  assert.match(
    text,
    /^controller\.quorum\.bootstrap\.servers=127\.0\.0\.1:9093,127\.0\.0\.1:9095,127\.0\.0\.1:9097$/m,
  );
  assert.doesNotMatch(text, /quorum\.voters/);
  assert.match(
    text,
    /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:9094,CONTROLLER:\/\/127\.0\.0\.1:9095$/m,
  );
  assert.match(text, /^log\.dirs=\/w\/kafka-2\/data$/m);
  for (const line of [
    'default.replication.factor=3',
    'min.insync.replicas=2',
    'unclean.leader.election.enable=false',
    'offsets.topic.replication.factor=3',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'share.coordinator.state.topic.replication.factor=3',
    'share.coordinator.state.topic.min.isr=2',
  ]) {
    assert.ok(text.split('\n').includes(line), line);
  }
});
