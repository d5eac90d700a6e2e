import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { takeKafkaSecurity, type KafkaSecurityValues } from '../src/index.js';

const PLAINTEXT: KafkaSecurityValues = {
  kafkaSecurityProtocol: 'PLAINTEXT',
  kafkaCaFile: undefined,
  kafkaSaslMechanism: 'SCRAM-SHA-512',
  kafkaSaslUsername: undefined,
  kafkaSaslPassword: undefined,
};

const usage = (message: string) => new Error(`usage: ${message}`);

test('the client options each protocol asks for, and the other values without the password', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-ca-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const ca = path.join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  const plain = takeKafkaSecurity({ ...PLAINTEXT, topic: 't' }, usage);
  assert.deepEqual(plain, { security: {}, rest: { topic: 't' } });
  assert.deepEqual(
    takeKafkaSecurity({ ...PLAINTEXT, kafkaSecurityProtocol: 'SSL' }, usage).security,
    {
      ssl: true,
    },
  );
  const sasl = takeKafkaSecurity(
    {
      ...PLAINTEXT,
      kafkaSecurityProtocol: 'SASL_SSL',
      kafkaCaFile: ca,
      kafkaSaslMechanism: 'SCRAM-SHA-256',
      kafkaSaslUsername: 'u',
      kafkaSaslPassword: 'p',
      topic: 't',
    },
    usage,
  );
  assert.deepEqual(sasl, {
    security: {
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' },
    },
    rest: { topic: 't' },
  });
});

test('a contradiction or an unreadable CA file is a usage error naming it', () => {
  const refused = (values: Partial<KafkaSecurityValues>) => () =>
    takeKafkaSecurity({ ...PLAINTEXT, ...values }, usage);
  assert.throws(refused({ kafkaCaFile: '/ca.pem' }), {
    message: 'usage: --kafka-ca-file needs --kafka-security-protocol SSL or SASL_SSL',
  });
  assert.throws(refused({ kafkaSecurityProtocol: 'SSL', kafkaSaslUsername: 'u' }), {
    message:
      'usage: a SASL user (--kafka-sasl-username, KAFKA_SASL_PASSWORD) needs --kafka-security-protocol SASL_SSL',
  });
  assert.throws(refused({ kafkaSecurityProtocol: 'SASL_SSL', kafkaSaslUsername: 'u' }), {
    message:
      'usage: --kafka-security-protocol SASL_SSL needs --kafka-sasl-username and KAFKA_SASL_PASSWORD',
  });
  assert.throws(refused({ kafkaSecurityProtocol: 'SSL', kafkaCaFile: '/nonexistent/ca.pem' }), {
    message: /^usage: --kafka-ca-file \/nonexistent\/ca.pem: ENOENT/,
  });
});
