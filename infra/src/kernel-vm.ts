import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChild, waitFor, type Child } from '@obscost/process';
import { requireArtifact } from './artifacts.js';
import { InfraError } from './errors.js';
import { buildInitramfs } from './initramfs.js';
import type { CachedKernel } from './kernels.js';
import { qemuArgs, virtiofsdArgs } from './qemu-args.js';

export const QEMU = '/usr/bin/qemu-system-x86_64';
export const VIRTIOFSD = '/usr/lib/qemu/virtiofsd';

export interface VmOptions {
  /** Virtual CPUs: 1 lets two guests share this machine's two cores. */
  readonly cpus?: number;
  /** Past this the guest is stopped and the run fails (default 150 s). */
  readonly timeoutMs?: number;
}

export interface VmResult {
  /** What the script printed, stdout and stderr as they came, without the console's noise. */
  readonly output: string;
  readonly exitCode: number;
  /** 2 when the first boot failed before the script ran and the second succeeded. */
  readonly attempts: number;
  readonly wallMs: number;
}

const STARTS = 'kernel-vm: script starts\n';
const EXITED = /kernel-vm: script exited (\d+)\n/;

/** The script's part of the console, and its exit code; undefined when it never started. */
export function scriptOutcome(console: string): { output: string; exitCode: number } | undefined {
  const text = console.replaceAll('\r', '');
  const start = text.indexOf(STARTS);
  if (start < 0) return undefined;
  const exited = EXITED.exec(text.slice(start));
  const end = exited === null ? text.length : start + exited.index;
  return { output: text.slice(start + STARTS.length, end), exitCode: Number(exited?.[1] ?? -1) };
}

const tail = (text: string) => text.trim().split('\n').slice(-25).join('\n');

/**
 * One pinned kernel booted under qemu with the host's root read-only, running one script.
 * `stop()` ends the guest and virtiofsd at once (a test's cleanup); each attempt removes
 * both and its temporary directory on its own too, however it ends.
 */
export class KernelVm {
  readonly result: Promise<VmResult>;
  private readonly children = new Set<Child>();
  private stopped = false;

  constructor(
    readonly kernel: CachedKernel,
    script: string,
    private readonly options: VmOptions = {},
  ) {
    requireArtifact(QEMU, 'qemu (qemu-system-x86)');
    requireArtifact(VIRTIOFSD, 'virtiofsd (qemu-system-x86)');
    this.result = this.run(buildInitramfs(kernel, script));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.children].map((child) => child.stop(2_000)));
  }

  /** A boot that fails before the script ran is retried once (1 boot in ~56 did). */
  private async run(initramfs: Buffer): Promise<VmResult> {
    const started = Date.now();
    const first = await this.attempt(initramfs);
    const console = first.outcome === undefined ? await this.attempt(initramfs) : first;
    if (console.outcome === undefined) {
      throw new InfraError(
        'INFRA_COMPONENT_FAILED',
        `kernel ${this.kernel.version} booted twice without running the script`,
        { details: tail(console.text) },
      );
    }
    return {
      ...console.outcome,
      attempts: console === first ? 1 : 2,
      wallMs: Date.now() - started,
    };
  }

  private async attempt(initramfs: Buffer) {
    if (this.stopped) throw new InfraError('INFRA_COMPONENT_FAILED', 'the VM was stopped');
    const dir = mkdtempSync(path.join(tmpdir(), 'obscost-vm-'));
    const socket = path.join(dir, 'virtiofs.sock');
    const initrd = path.join(dir, 'initramfs.cpio');
    writeFileSync(initrd, initramfs);
    const own = (child: Child) => (this.children.add(child), child);
    // In the caller's process group, not one of their own: a Ctrl-C of the test run reaches them.
    const virtiofsd = own(startChild(VIRTIOFSD, virtiofsdArgs(socket)));
    let qemu: Child | undefined;
    try {
      await waitFor('virtiofsd to listen', () => {
        if (!virtiofsd.running) throw new Error(`virtiofsd exited: ${virtiofsd.output().trim()}`);
        return existsSync(socket);
      });
      const args = qemuArgs(this.kernel.vmlinuz, initrd, socket, this.options.cpus ?? 1);
      qemu = own(startChild(QEMU, args));
      await this.awaitExit(qemu);
      return { text: qemu.output(), outcome: scriptOutcome(qemu.output()) };
    } finally {
      await Promise.all([qemu?.stop(2_000), virtiofsd.stop(2_000)]);
      if (qemu !== undefined) this.children.delete(qemu);
      this.children.delete(virtiofsd);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async awaitExit(qemu: Child): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 150_000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        resolve('expired');
      }, timeoutMs);
    });
    const ended = await Promise.race([qemu.closed, expired]);
    clearTimeout(timer);
    if (ended === 'expired') {
      throw new InfraError(
        'INFRA_COMPONENT_FAILED',
        `kernel ${this.kernel.version}: the guest was still running after ${timeoutMs} ms`,
        { details: tail(qemu.output()) },
      );
    }
  }
}
