import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bpftraceArgs, printedSum } from '../src/scenarios/bpftrace.js';

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

test('bpftrace on one process runs the script; on a tree of several, or by a name, its rewritten text', () => {
  const [script, pid] = bpftraceArgs([42], undefined);
  assert.match(script ?? '', /bpf\/http_bytes\.bt$/);
  assert.equal(pid, '42');
  const [flag, program, unused] = bpftraceArgs([42, 43, 50], undefined);
  assert.deepEqual([flag, unused], ['-e', '0']);
  assert.match(program ?? '', /@followed\[42\] = 1; @followed\[43\] = 1; @followed\[50\] = 1;/);
  assert.doesNotMatch(program ?? '', /\$1/);
  const [, named] = bpftraceArgs([42], 'my server');
  assert.doesNotMatch(named ?? '', /\/@followed\[pid\]\//);
  assert.equal(named?.match(/\/comm == "my server"\//g)?.length, 3, 'fork, write and writev');
  assert.throws(() => bpftraceArgs([], undefined), /no process to follow/);
});
