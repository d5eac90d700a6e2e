import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  brokersRule,
  bytesOf,
  choiceRule,
  integerRule,
  positiveNumberRule,
  SettingError,
  sizeRule,
  topicRule,
  urlRule,
} from '../src/index.js';

test('valid values are read', () => {
  assert.equal(integerRule('--n', '42', 0, 100), 42);
  assert.equal(bytesOf('64k'), 64 * 1024);
  assert.equal(sizeRule('--s', '1G', 1, 2 ** 32), 2 ** 30);
  assert.deepEqual(brokersRule('--b', 'a:1, b.c:9092'), ['a:1', 'b.c:9092']);
  assert.equal(topicRule('--t', 'obscost.events'), 'obscost.events');
  assert.equal(choiceRule('--c', 'on', ['on', 'off']), 'on');
  assert.equal(urlRule('--u', 'http://x:1/').port, '1');
  assert.equal(positiveNumberRule('--r', '0.5'), 0.5);
});

test('invalid values are one line naming the flag and the value', () => {
  const cases: [() => unknown, string][] = [
    [() => integerRule('--n', '-1', 0, 9), '--n must be an integer from 0 to 9, got "-1"'],
    [() => integerRule('N', '10', 0, 9), 'N must be an integer from 0 to 9, got "10"'],
    [
      () => sizeRule('--s', '2T', 1, 9),
      '--s must be a size from 1 to 9 bytes (e.g. 64K, 16M), got "2T"',
    ],
    [() => brokersRule('--b', 'nohost'), '--b must be host:port[,host:port...], got "nohost"'],
    [() => topicRule('--t', 'a b'), '--t must be a Kafka topic name, got "a b"'],
    [() => choiceRule('--c', 'x', ['a', 'b']), '--c must be a or b, got "x"'],
    [() => choiceRule('--c', 'x', ['a', 'b', 'c']), '--c must be a, b or c, got "x"'],
    [() => urlRule('--u', 'nope'), '--u must be a URL, got "nope"'],
    [() => positiveNumberRule('--r', '0'), '--r must be a positive number, got "0"'],
  ];
  for (const [parse, message] of cases) assert.throws(parse, new SettingError(message));
});
