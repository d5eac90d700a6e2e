import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  brokersFlag,
  bytesOf,
  integerFlag,
  sizeFlag,
  topicFlag,
  UsageError,
} from '../src/index.js';

test('valid values are read', () => {
  assert.equal(integerFlag('n', '42', 0, 100), 42);
  assert.equal(bytesOf('64k'), 64 * 1024);
  assert.equal(sizeFlag('s', '1G', 1, 2 ** 32), 2 ** 30);
  assert.deepEqual(brokersFlag('b', 'a:1, b.c:9092'), ['a:1', 'b.c:9092']);
  assert.equal(topicFlag('t', 'obscost.events'), 'obscost.events');
});

test('invalid values are one line naming the flag and the value', () => {
  const cases: [() => unknown, string][] = [
    [() => integerFlag('n', '-1', 0, 9), '--n must be an integer from 0 to 9, got "-1"'],
    [() => integerFlag('n', '10', 0, 9), '--n must be an integer from 0 to 9, got "10"'],
    [
      () => sizeFlag('s', '2T', 1, 9),
      '--s must be a size from 1 to 9 bytes (e.g. 64K, 16M), got "2T"',
    ],
    [() => brokersFlag('b', 'nohost'), '--b must be host:port[,host:port...], got "nohost"'],
    [() => topicFlag('t', 'a b'), '--t must be a Kafka topic name, got "a b"'],
  ];
  for (const [parse, message] of cases) assert.throws(parse, new UsageError(message));
});
