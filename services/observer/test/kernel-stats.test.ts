import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PROG_INFO_RUN_CNT, PROG_INFO_RUN_TIME_NS, PROG_INFO_SIZE } from '../src/kernel-stats.js';

test("struct bpf_prog_info offsets are the system header's", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-prog-info-'));
  const source = path.join(dir, 'offsets.c');
  writeFileSync(
    source,
    `#include <stdio.h>
#include <stddef.h>
#include <linux/bpf.h>
int main(void) {
  printf("%zu %zu %zu", offsetof(struct bpf_prog_info, run_time_ns),
         offsetof(struct bpf_prog_info, run_cnt), sizeof(struct bpf_prog_info));
  return 0;
}
`,
  );
  execFileSync('cc', ['-o', path.join(dir, 'offsets'), source]);
  const [runTime, runCount, size] = execFileSync(path.join(dir, 'offsets'), { encoding: 'utf8' })
    .split(' ')
    .map(Number);
  assert.equal(runTime, PROG_INFO_RUN_TIME_NS);
  assert.equal(runCount, PROG_INFO_RUN_CNT);
  assert.ok(size !== undefined && size >= PROG_INFO_SIZE, `${size} >= ${PROG_INFO_SIZE}`);
});
