import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { requireArtifact } from './artifacts.js';
import { ROOT, type InfraConfig } from './config.js';
import { InfraError } from './errors.js';

/** A kernel of the matrix as infra/kernels/kernels.json pins it. */
export interface PinnedKernel {
  /** What `--kernel` matches: "5.10", "6.1", "6.12", "7.3". */
  readonly name: string;
  readonly version: string;
  /** `uname -r` in the guest, and the name of its modules' directory. */
  readonly release: string;
  /** Debian packages as `name=version`, all extracted into the kernel's folder. */
  readonly packages: readonly string[];
}

/** A pinned kernel that setup fetched: where its image, modules and build config are. */
export interface CachedKernel extends PinnedKernel {
  readonly vmlinuz: string;
  readonly modules: string;
  /** Debian kernels have no IKCONFIG: the package's own config is the only record. */
  readonly config: string;
}

export const KERNELS_FILE = path.join(ROOT, 'infra/kernels/kernels.json');

export function pinnedKernels(): PinnedKernel[] {
  const parsed = JSON.parse(readFileSync(KERNELS_FILE, 'utf8')) as { kernels: PinnedKernel[] };
  return parsed.kernels;
}

/** The pinned kernels whose name is `filter` (all of them without one); none is an error. */
export function selectKernels(filter: string | undefined): PinnedKernel[] {
  const all = pinnedKernels();
  const chosen = filter === undefined ? all : all.filter((kernel) => kernel.name === filter);
  if (chosen.length === 0) {
    const names = all.map((kernel) => kernel.name).join(', ');
    throw new InfraError('INFRA_USAGE', `no pinned kernel is named "${filter}": one of ${names}`);
  }
  return chosen;
}

/** The folder setup extracts a kernel's packages into, named after its version. */
export function kernelDir(config: InfraConfig, kernel: PinnedKernel): string {
  return path.join(config.cacheDir, `kernel-${kernel.version}`);
}

/**
 * Where a fetched kernel's files are: older packages put them under /boot and /lib, newer
 * ones (7.x) under /usr/lib/modules/RELEASE. Fails with "run npm run setup" when setup has
 * not fetched the kernel.
 */
export function cachedKernel(config: InfraConfig, kernel: PinnedKernel): CachedKernel {
  const dir = kernelDir(config, kernel);
  requireArtifact(path.join(dir, 'complete'), `kernel ${kernel.version}`);
  const root = path.join(dir, 'root');
  const merged = path.join(root, 'usr/lib/modules', kernel.release);
  const split = existsSync(merged) ? undefined : path.join(root, 'lib/modules', kernel.release);
  const found = (file: string, what: string) =>
    requireArtifact(file, `${what} of ${kernel.version}`);
  return {
    ...kernel,
    vmlinuz: found(
      split === undefined
        ? path.join(merged, 'vmlinuz')
        : path.join(root, `boot/vmlinuz-${kernel.release}`),
      'the image',
    ),
    modules: found(split ?? merged, 'the modules'),
    config: found(
      split === undefined
        ? path.join(merged, 'config')
        : path.join(root, `boot/config-${kernel.release}`),
      'the config',
    ),
  };
}
