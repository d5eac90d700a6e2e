import { existsSync } from 'node:fs';

/** Memory of a guest: node, the observer and a workload fit with room to spare. */
const MEMORY = '512M';

/**
 * Real hardware virtualization only: this machine's /dev/kvm is PVM (kvm_pvm), which runs
 * only PVM-built guests, so a stock kernel under `-accel kvm` aborts or hangs there.
 */
export function hardwareVirtualization(): boolean {
  return existsSync('/sys/module/kvm_intel') || existsSync('/sys/module/kvm_amd');
}

/** virtiofsd sharing the host's root; it has no read-only mode, the guest mounts it so. */
export function virtiofsdArgs(socket: string): string[] {
  return [
    `--socket-path=${socket}`,
    '-o',
    'source=/',
    '-o',
    'cache=always',
    '-o',
    'sandbox=chroot',
    '-f',
  ];
}

/**
 * qemu booting `vmlinuz` into `initrd` on the serial console, with no network and the host's
 * root on the virtio-fs tag "hostroot" (vhost-user needs the guest's memory shared: memfd).
 * Software emulation (TCG) unless the host has real hardware virtualization.
 */
export function qemuArgs(vmlinuz: string, initrd: string, socket: string, cpus: number): string[] {
  const accel = hardwareVirtualization()
    ? ['-accel', 'kvm', '-cpu', 'host']
    : ['-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max'];
  return [
    ...accel,
    ...['-smp', String(cpus), '-m', MEMORY],
    ...['-nodefaults', '-no-user-config', '-nographic', '-no-reboot', '-nic', 'none'],
    ...['-serial', 'stdio', '-kernel', vmlinuz, '-initrd', initrd],
    ...['-append', 'console=ttyS0 quiet loglevel=1 panic=-1'],
    ...['-chardev', `socket,id=vfs,path=${socket}`],
    ...['-device', 'vhost-user-fs-pci,chardev=vfs,tag=hostroot'],
    ...['-object', `memory-backend-memfd,id=mem,size=${MEMORY},share=on`],
    ...['-machine', 'q35,memory-backend=mem'],
  ];
}
