// The uprobe marker (the seed's AppWrite): the app calls app_write(bytes) once per
// response, and the eBPF observer attaches a uprobe here to read `bytes` from arg0.
// app_write_plain is the same marker without the nop5, to compare what a uprobe costs
// when the kernel cannot optimize it (APP_MARKER=plain).
//
// The function body is written in assembly so that its first instruction is the
// 5-byte NOP `nopl 0x0(%rax,%rax,1)` (0f 1f 44 00 00). Kernels from 6.x optimize a
// uprobe placed on such a nop5 into a jump to a trampoline (~0.66 us per hit on the
// project's VMs) instead of a breakpoint trap plus single-step (~11 us per hit). A
// compiler may emit any prologue for a C body, so the bytes are fixed by hand; a
// test disassembles the built library and checks them.

#include <stdint.h>

#if !defined(__x86_64__)
#error "app_marker.c is written for x86-64: add the nop and return for this architecture"
#endif

__attribute__((naked, noinline, used, visibility("default"))) void app_write(uint64_t bytes) {
  (void)bytes;
  __asm__ volatile(
      ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t"
      "ret\n\t");
}

// An ordinary first instruction, `mov %rdi, %rax` (48 89 f8): a uprobe here is an int3
// breakpoint whose trap single-steps the displaced instruction, as on most functions.
__attribute__((naked, noinline, used, visibility("default"))) void app_write_plain(uint64_t bytes) {
  (void)bytes;
  __asm__ volatile(
      ".byte 0x48, 0x89, 0xf8\n\t"
      "ret\n\t");
}
