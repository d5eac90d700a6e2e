import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addPerCpu, COUNTS_VALUE_SIZE } from '../src/kernel-counts.js';

test("a per-CPU lookup's struct event_counts are added up over the CPUs", () => {
  const cpus = 2;
  const values = Buffer.alloc(COUNTS_VALUE_SIZE * cpus);
  // CPU 0: 3 events of 100 bytes (bucket 1); CPU 1: 2 events, 5,000 bytes (bucket 4).
  const words = [
    [3, 300, 0, 3, 0, 0, 0, 0, 0, 0, 0],
    [2, 5000, 0, 0, 0, 0, 2, 0, 0, 0, 0],
  ];
  words.flat().forEach((word, i) => values.writeBigUInt64LE(BigInt(word), i * 8));
  assert.deepEqual(addPerCpu(values, cpus), {
    events: 5,
    bytes: 5300,
    sizes: [0, 3, 0, 0, 2, 0, 0, 0, 0],
  });
});
