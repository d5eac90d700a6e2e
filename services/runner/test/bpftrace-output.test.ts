import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printedSum } from '../src/scenarios/bpftrace.js';

test("bpftrace's printed maps summed over its intervals, the first one beside the time", () => {
  const output = [
    'Attaching 3 probes...',
    '17:55:11 @write_calls: 62',
    '@write_bytes: 4338',
    '@writev_calls: 0',
    '',
    '17:55:12 @write_calls: 3',
    '@write_bytes: 12',
    '@writev_calls: 7',
  ].join('\n');
  assert.equal(printedSum(output, 'write_calls'), 65);
  assert.equal(printedSum(output, 'write_bytes'), 4350);
  assert.equal(printedSum(output, 'writev_calls'), 7);
});
