import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgroupMounts } from '../src/cgroup-mounts.js';
import { parseCpuacct, parseCpuStat } from '../src/cgroup-readings.js';
import { parseCpuLines } from '../src/cpu-busy.js';
import { ticksToNs } from '../src/proc.js';
import { parseSchedstatRunNs } from '../src/schedstat.js';

const TICK_NS = ticksToNs(1);

test('a thread schedstat: run time, wait time, timeslices; the first is the CPU time in ns', () => {
  assert.equal(parseSchedstatRunNs('26140498 3416160 71\n'), 26_140_498);
  assert.equal(parseSchedstatRunNs('0 0 0'), 0);
  assert.throws(() => parseSchedstatRunNs('26140498 3416160\n'), /not a schedstat line/);
});

test('a cgroup v1 group: cpuacct.usage in ns, cpuacct.stat in ticks', () => {
  assert.deepEqual(parseCpuacct('1234567890\n', 'user 95\nsystem 28\n'), {
    totalNs: 1_234_567_890,
    userNs: 95 * TICK_NS,
    systemNs: 28 * TICK_NS,
  });
  assert.throws(() => parseCpuacct('', 'user 1\nsystem 1\n'), /not a cpuacct.usage/);
  assert.throws(() => parseCpuacct('5\n', 'user 1\n'), /cpuacct.stat has no system/);
  assert.throws(() => parseCpuacct('5\n', 'user one\n'), /not a line of cpuacct.stat/);
});

test('a cgroup v2 group: cpu.stat in microseconds, with or without the cpu controller', () => {
  const basic = 'usage_usec 280\nuser_usec 200\nsystem_usec 80\nnice_usec 0\n';
  assert.deepEqual(parseCpuStat(basic), { totalNs: 280_000, userNs: 200_000, systemNs: 80_000 });
  const withController = `${basic}core_sched.force_idle_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n`;
  assert.deepEqual(parseCpuStat(withController), parseCpuStat(basic));
  assert.throws(() => parseCpuStat('user_usec 1\nsystem_usec 1\n'), /cpu.stat has no usage_usec/);
});

test('the cgroup mounts: v1 cpuacct alone or beside cpu, and v2; other mounts ignored', () => {
  const hybrid = [
    'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
    'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
    'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0',
    'cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0',
    'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0',
    'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
    '',
  ].join('\n');
  assert.deepEqual(parseCgroupMounts(hybrid), {
    cpuacct: '/sys/fs/cgroup/cpuacct',
    unified: '/sys/fs/cgroup/unified',
  });
  const comounted = 'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0\n';
  assert.deepEqual(parseCgroupMounts(comounted), { cpuacct: '/sys/fs/cgroup/cpu,cpuacct' });
  const unifiedOnly = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,nsdelegate 0 0\n';
  assert.deepEqual(parseCgroupMounts(unifiedOnly), { unified: '/sys/fs/cgroup' });
  const escaped = 'cgroup2 /mnt/my\\040groups cgroup2 rw 0 0\n';
  assert.deepEqual(parseCgroupMounts(escaped), { unified: '/mnt/my groups' });
  assert.deepEqual(parseCgroupMounts('sysfs /sys sysfs rw 0 0\n'), {});
});

test('/proc/stat per CPU: busy is all but idle and iowait, guest already inside user', () => {
  const stat = [
    'cpu  242025 259 36359 318686 1360 0 2441 308 0 0',
    'cpu0 116648 79 17801 164636 256 5 908 155 40 0',
    'cpu1 125376 179 18558 154049 1104 0 1532 153 0 0',
    'intr 3964415 0 0 0',
    'ctxt 123456',
  ].join('\n');
  const cpus = parseCpuLines(stat);
  assert.deepEqual([...cpus.keys()], [0, 1]);
  assert.deepEqual(cpus.get(0), {
    busyNs: (116648 + 79 + 17801 + 5 + 908 + 155) * TICK_NS,
    interruptNs: (5 + 908) * TICK_NS,
  });
  assert.equal(cpus.get(1)?.busyNs, (125376 + 179 + 18558 + 1532 + 153) * TICK_NS);
  // Kernels before 2.6.33 stop after steal: eight fields.
  assert.equal(parseCpuLines('cpu3 1 2 3 4 5 6 7 8\n').get(3)?.busyNs, 27 * TICK_NS);
  assert.throws(() => parseCpuLines('intr 1 2 3\n'), /no cpuN line/);
});
