import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  codedCause,
  CodedError,
  describeFailure,
  documentedErrors,
  errorClass,
  exitCodes,
  failure,
  isRetriable,
  usage,
} from '../src/index.js';

const CATALOGUE = {
  T_USAGE: usage('bad flags'),
  T_BROKEN: failure('it broke'),
  T_LATER: failure('try later', { retriable: true }),
};

test('a coded error takes its exit code and retriable flag from the catalogue', () => {
  const err = new CodedError(CATALOGUE, 'T_USAGE', '--x must be 1');
  assert.deepEqual([err.code, err.exitCode, err.retriable], ['T_USAGE', 2, false]);
  const later = new CodedError(CATALOGUE, 'T_LATER', 'busy');
  assert.deepEqual([later.exitCode, later.retriable], [1, true]);
});

test('one line and the exit code, found through wrappers', () => {
  const coded = new CodedError(CATALOGUE, 'T_USAGE', 'bad --x\nmore');
  const wrapped = new Error('wrapper', { cause: new Error('inner', { cause: coded }) });
  assert.equal(codedCause(wrapped), coded);
  assert.deepEqual(describeFailure(wrapped), { line: 'bad --x', exitCode: 2 });
  assert.deepEqual(describeFailure(new Error('plain')), { line: 'plain', exitCode: 1 });
  assert.deepEqual(describeFailure('text'), { line: 'text', exitCode: 1 });
});

test("the deepest retriable flag decides: a retrier's give-up does not make an outage permanent", () => {
  const flagged = (message: string, retriable: boolean, cause?: Error): Error =>
    Object.assign(new Error(message, { cause }), { retriable });
  // As kafkajs: KafkaJSNumberOfRetriesExceeded (false) around a connection error (true).
  assert.equal(isRetriable(flagged('retries exceeded', false, flagged('refused', true))), true);
  // KafkaJSNonRetriableError around MESSAGE_TOO_LARGE (both false).
  assert.equal(isRetriable(flagged('non retriable', false, flagged('too large', false))), false);
  assert.equal(isRetriable(new Error('no flag anywhere')), true);
  assert.equal(isRetriable(new CodedError(CATALOGUE, 'T_BROKEN', 'x')), false);
  const cycle = new Error('a');
  (cycle as { cause?: unknown }).cause = cycle;
  assert.equal(isRetriable(cycle), true);
});

test('documented codes are read with their exit codes from the tables', () => {
  const doc = [
    '| code | exit | when |',
    '| --- | --- | --- |',
    '| `T_USAGE` | 2 | x |',
    '| `T_BROKEN`   |   1 | y |',
    '| `OTHER_X` | 1 | z |',
    '`T_LATER` in text',
  ].join('\n');
  assert.deepEqual(documentedErrors(doc, 'T'), { T_USAGE: 2, T_BROKEN: 1 });
  assert.deepEqual(exitCodes(CATALOGUE), { T_USAGE: 2, T_BROKEN: 1, T_LATER: 1 });
});

test("a service's error class takes its catalogue's codes", () => {
  class TestError extends errorClass('TestError', CATALOGUE) {}
  const err = new TestError('T_LATER', 'busy', { cause: new Error('why') });
  assert.ok(err instanceof CodedError);
  assert.deepEqual(
    [err.name, err.code, err.exitCode, err.retriable],
    ['TestError', 'T_LATER', 1, true],
  );
  assert.equal((err.cause as Error).message, 'why');
});
