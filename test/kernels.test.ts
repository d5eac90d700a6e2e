import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { parseArgs } from 'node:util';
import {
  buildInitramfs,
  cachedKernel,
  KernelVm,
  loadInfraConfig,
  moduleDepends,
  modulesInLoadOrder,
  scriptOutcome,
  selectKernels,
} from '@obscost/infra';
import { uprobeNeedsAdmin } from '@obscost/observer';
import { guestScript, parseGuestReport } from './kernel-guest.js';
import { documentedRows, matrixRow, writeDocumentedRows } from './kernel-table.js';

// The kernel matrix: each pinned kernel (infra/kernels/kernels.json) booted in a VM of its
// own with the host's root shared read-only, the observer following workloads of known
// counts inside it (infra/kernels/observer-checks.sh). `npm run test:kernels -- --kernel
// 6.1` runs one kernel alone; `-- --write-docs` writes what the kernels run offer into
// docs/observer.md. Setup fetches qemu and the kernels: without them every test fails
// saying to run it.

const { values } = parseArgs({
  options: { kernel: { type: 'string' }, 'write-docs': { type: 'boolean' } },
  strict: false,
});
const filter = typeof values.kernel === 'string' ? values.kernel : undefined;
const CALLS = 2000;

/** What the uprobe with CAP_BPF and CAP_PERFMON alone must come to on a kernel. */
function perfmonOutcome(facts: Record<string, string>): RegExp {
  if (uprobeNeedsAdmin(facts['release'])) return /missing capabilities: CAP_SYS_ADMIN/;
  return /^counted$|refuses the uprobe without CAP_SYS_ADMIN/;
}

/** Each kernel's row of docs/observer.md's table, as its guest found it. */
const rows = new Map<string, string[]>();

// Two guests at once, one virtual CPU each: this machine has two cores.
describe('the kernel matrix', { concurrency: 2 }, () => {
  for (const kernel of selectKernels(filter)) {
    test(
      `${kernel.version}: the observer loads, counts exactly in both modes and leaves nothing loaded`,
      { timeout: 170_000 },
      async (t) => {
        const cached = cachedKernel(loadInfraConfig(), kernel);
        const vm = new KernelVm(cached, guestScript(CALLS), { cpus: 1 });
        t.after(() => vm.stop());
        const result = await vm.result;
        const report = parseGuestReport(result.output);
        rows.set(kernel.version, matrixRow(cached, report));
        t.diagnostic(`${result.wallMs} ms, ${result.attempts} boot(s)`);
        const context = `kernel ${kernel.version}, the guest's output:\n${result.output}`;
        assert.equal(result.exitCode, 0, context);
        const { perfmon, ...failures } = report.failures;
        assert.deepEqual(failures, {}, context);
        assert.equal(Object.keys(report.counts).length, 6, context);
        const refused = perfmon !== undefined;
        for (const [series, { expected, counted }] of Object.entries(report.counts)) {
          const perfmonRefused = refused && series.startsWith('perfmon ');
          assert.equal(
            counted,
            perfmonRefused ? 'none' : String(expected),
            `${series}: ${context}`,
          );
        }
        // The uprobe with CAP_BPF and CAP_PERFMON alone: refused at start where the kernel is
        // known to ask CAP_SYS_ADMIN, else counted exactly or refused by the attach, saying so.
        assert.match(perfmon ?? 'counted', perfmonOutcome(report.facts), context);
        assert.deepEqual(report.loadedAfterKill, { ring: [], count: [], perfmon: [] }, context);
      },
    );
  }
  after(() => {
    if (values['write-docs'] === true) writeDocumentedRows(rows);
  });
});

test("docs/observer.md's table says what each kernel run offers", () => {
  const documented = documentedRows();
  for (const [version, row] of rows) {
    assert.deepEqual(
      documented.get(version),
      row,
      `kernel ${version}: run "npm run test:kernels -- --kernel NAME --write-docs" and commit docs/observer.md`,
    );
  }
});

test("the initramfs, as busybox's cpio lists it: /init, busybox, the console, the script, the modules", () => {
  const kernel = cachedKernel(loadInfraConfig(), selectKernels('6.1')[0] ?? assert.fail());
  const modules = modulesInLoadOrder(kernel);
  // A tiny tool run synchronously: an independent reader of the archive.
  const listed = execFileSync('busybox', ['cpio', '-t'], {
    input: buildInitramfs(kernel, 'true\n'),
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const names = modules.map((module) => module.name);
  assert.deepEqual(String(listed).trim().split('\n'), [
    ...['bin', 'dev', 'proc', 'sys', 'lib', 'lib/modules', 'dev/console', 'bin/busybox'],
    ...['init', 'script.sh', 'modules', ...names.map((name) => `lib/modules/${name}.ko`)],
  ]);
  assert.deepEqual(
    new Set(names),
    new Set([
      ...['virtio', 'virtio_ring', 'virtio_pci', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev'],
      ...['fuse', 'virtiofs', 'overlay'],
    ]),
  );
  modules.forEach(({ object }, at) => {
    for (const needed of moduleDepends(object)) assert.ok(names.indexOf(needed) < at, needed);
  });
});

test("the script's output and exit code are read from the console, its noise left out", () => {
  const console =
    'Booting\r\nkernel-vm: script starts\r\nfact btf=yes\r\nkernel-vm: script exited 3\r\n';
  assert.deepEqual(scriptOutcome(console), { output: 'fact btf=yes\n', exitCode: 3 });
  assert.equal(scriptOutcome('Kernel panic - not syncing\r\n'), undefined);
});
