#!/bin/busybox sh
# shellcheck shell=dash
# /init of the kernel matrix's initramfs (infra/src/initramfs.ts packs it with busybox, the
# modules listed in /modules and the script to run, /script.sh). Mounts the host's root,
# shared by virtiofsd, read-only at /host, with a tmpfs overlay over its /tmp for writes and
# the kernel's file systems, runs the script there under chroot, prints its exit code on the
# console for the host to read, and powers off: the guest never outlives its one script.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r module; do
  insmod "/lib/modules/$module" || echo "kernel-vm: insmod $module failed"
done </modules

# The virtio-fs device may not be probed yet when /init gets here: retried for 5 s.
mkdir -p /host
tries=0
until mount -t virtiofs -o ro hostroot /host 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -ge 50 ]; then
    echo "kernel-vm: cannot mount the host's root"
    poweroff -f
  fi
  sleep 0.1
done

mkdir -p /rw
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host/tmp,upperdir=/rw/upper,workdir=/rw/work /host/tmp
chmod 1777 /host/tmp
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mount -t tmpfs run /host/run
mount -t debugfs debugfs /host/sys/kernel/debug
mount -t tracefs tracefs /host/sys/kernel/tracing
mount -t bpf bpf /host/sys/fs/bpf
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup

cp /script.sh /host/tmp/kernel-vm-script.sh
echo "kernel-vm: script starts"
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/tmp /bin/sh /tmp/kernel-vm-script.sh
echo "kernel-vm: script exited $?"
poweroff -f
