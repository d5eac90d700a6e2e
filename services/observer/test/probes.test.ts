import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseTcpProbe,
  compatObject,
  objectFor,
  programsFor,
  writeProbeChoices,
} from '../src/probes.js';
import { TCP_PROBE_MODES, WRITE_PROBE_MODES } from '../src/probe-vocabulary.js';

test('each probe family in the variant the kernel gets: fexit writes tried first, the kprobe where there are kprobes', () => {
  assert.deepEqual(writeProbeChoices('auto'), [
    WRITE_PROBE_MODES.fexit,
    WRITE_PROBE_MODES.tracepoint,
  ]);
  assert.deepEqual(writeProbeChoices('tracepoint'), [WRITE_PROBE_MODES.tracepoint]);
  assert.equal(chooseTcpProbe('auto', true), TCP_PROBE_MODES.kprobe);
  assert.equal(chooseTcpProbe('auto', false), TCP_PROBE_MODES.tracepoint);
  const fexit = { tcp: TCP_PROBE_MODES.tracepoint, write: WRITE_PROBE_MODES.fexit };
  assert.deepEqual(programsFor(fexit, ['write', 'tcp']), [
    'write_fexit',
    'writev_fexit',
    'tcp_send_tracepoint',
  ]);
  const tracepoints = { tcp: TCP_PROBE_MODES.kprobe, write: WRITE_PROBE_MODES.tracepoint };
  assert.deepEqual(programsFor(tracepoints, ['write', 'uprobe'], true), [
    'write_exit',
    'writev_exit',
    'app_write_uprobe',
    'follow_fork',
    'forget_exit',
  ]);
});

test("the object's build without the kfunc, beside it, where the kernel lacks bpf_rdonly_cast", () => {
  assert.equal(compatObject('/b/observer.bpf.o'), '/b/observer-compat.bpf.o');
  assert.equal(compatObject('/b/old.o'), '/b/old.o', 'an object not named *.bpf.o has no twin');
  // No twin beside it: the object as given, whatever the kernel.
  assert.equal(
    objectFor('/nonexistent/observer.bpf.o', '/nonexistent/vmlinux'),
    '/nonexistent/observer.bpf.o',
  );
});
