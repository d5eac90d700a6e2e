import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { runToEnd } from '@obscost/process';
import { createNetns, removeStale } from '../src/netns.js';

test('a namespace: its own loopback, up; a process in it keeps the root namespace tracefs; gone after remove', async (t) => {
  const netns = await createNetns('unit');
  t.after(() => (existsSync(netns.path) ? netns.remove() : undefined));
  assert.match(netns.name, new RegExp(`^obscost-${process.pid}-\\d+-unit$`));
  const ip = netns.wrap('ip', ['-o', 'link', 'show', 'lo']);
  const link = await runToEnd(ip.command, ip.args);
  assert.equal(link.code, 0, link.stderr);
  assert.match(link.stdout, /<LOOPBACK,UP,LOWER_UP>/);
  // nsenter --net leaves /sys as it is: the tracefs events stay visible (ip netns exec hides them).
  const ls = netns.wrap('ls', ['/sys/kernel/tracing/events/syscalls']);
  assert.equal((await runToEnd(ls.command, ls.args)).code, 0);
  assert.ok(!(await removeStale()).includes(netns.name), "a live run's namespace is not stale");
  assert.ok(existsSync(netns.path));
  await netns.remove();
  assert.equal(existsSync(netns.path), false);
});
