import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './config.js';
import { cpioArchive, type CpioEntry } from './cpio.js';
import { InfraError } from './errors.js';
import type { CachedKernel } from './kernels.js';

/** busybox-static's binary: busybox (the dynamic one) would find no libc in an initramfs. */
export const BUSYBOX = '/bin/busybox';
export const INIT_SCRIPT = path.join(ROOT, 'infra/kernels/init.sh');

/**
 * What /init needs to mount the host's root: PCI virtio, virtio-fs and overlayfs. Modules on
 * 5.10 and 6.1; built in from 6.12 on (overlayfs apart), where no file is found.
 */
const WANTED_MODULES = ['virtio_pci', 'virtiofs', 'overlay'];

const moduleName = (file: string) =>
  path
    .basename(file)
    .replace(/\.ko(\.xz)?$/, '')
    .replaceAll('-', '_');

/** Every module file of the kernel by its name (dashes as underscores, as depends= has them). */
function moduleFiles(modulesDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const entries = readdirSync(path.join(modulesDir, 'kernel'), {
    recursive: true,
    withFileTypes: true,
  });
  for (const entry of entries) {
    if (entry.isFile() && /\.ko(\.xz)?$/.test(entry.name)) {
      files.set(moduleName(entry.name), path.join(entry.parentPath, entry.name));
    }
  }
  return files;
}

/** A module's object, decompressed: busybox's insmod reads plain ELF only. */
function moduleObject(file: string): Buffer {
  // xz(1) for the few compressed modules: node has no xz decoder, and the output is binary.
  return file.endsWith('.xz') ? execFileSync('xz', ['-dc', file]) : readFileSync(file);
}

/** The `depends=` entry of a module's .modinfo section: the modules it needs loaded first. */
export function moduleDepends(object: Buffer): string[] {
  const at = object.indexOf('\0depends=');
  if (at < 0) return [];
  const end = object.indexOf(0, at + 1);
  const list = object.subarray(at + '\0depends='.length, end).toString();
  return list === '' ? [] : list.split(',');
}

/** The wanted modules and what they depend on, each before its dependents, decompressed. */
export function modulesInLoadOrder(kernel: CachedKernel): { name: string; object: Buffer }[] {
  const files = moduleFiles(kernel.modules);
  const ordered: { name: string; object: Buffer }[] = [];
  const seen = new Set<string>();
  const visit = (name: string, neededBy: string | undefined) => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = files.get(name);
    if (file === undefined) {
      // A dependency must be a file: depends= never names a built-in module.
      if (neededBy === undefined) return;
      throw new InfraError(
        'INFRA_ARTIFACT_MISSING',
        `kernel ${kernel.version}: module ${name}, which ${neededBy} needs, is not in ${kernel.modules}`,
      );
    }
    const object = moduleObject(file);
    for (const dependency of moduleDepends(object)) visit(dependency, name);
    ordered.push({ name, object });
  };
  for (const name of WANTED_MODULES) visit(name, undefined);
  return ordered;
}

/** The initramfs that boots `kernel` into `script` (a POSIX shell script) on the host's root. */
export function buildInitramfs(kernel: CachedKernel, script: string): Buffer {
  const modules = modulesInLoadOrder(kernel);
  const dirs = ['bin', 'dev', 'proc', 'sys', 'lib', 'lib/modules'];
  const entries: CpioEntry[] = [
    ...dirs.map((dir) => ({ kind: 'dir' as const, path: dir })),
    // The kernel opens /dev/console for /init's stdio before anything is mounted.
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(BUSYBOX), mode: 0o755 },
    { kind: 'file', path: 'init', data: readFileSync(INIT_SCRIPT), mode: 0o755 },
    { kind: 'file', path: 'script.sh', data: Buffer.from(script), mode: 0o644 },
    {
      kind: 'file',
      path: 'modules',
      data: Buffer.from(modules.map((module) => `${module.name}.ko\n`).join('')),
      mode: 0o644,
    },
    ...modules.map((module) => ({
      kind: 'file' as const,
      path: `lib/modules/${module.name}.ko`,
      data: module.object,
      mode: 0o644,
    })),
  ];
  return cpioArchive(entries);
}
