import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeSamples } from '../src/cpu-profile.js';

// Samples from `perf script -F ip,sym,dso` of the app under ebpf-core (leaf frame first),
// one of each part, shortened to their first frames.
const PERF_SCRIPT = `
\tffffffff8153e223 bpf_ringbuf_submit ([kernel.kallsyms])
\tffffffffc0000bae bpf_prog_3f340ab618932292_tcp_send_tracepoint (bpf_prog_3f340ab618932292_tcp_send_tracepoint)
\tffffffff814cf480 trace_call_bpf ([kernel.kallsyms])
\tffffffff81f10c84 perf_trace_sock_msg_length ([kernel.kallsyms])

\tffffffff8130f5b3 read_tsc ([kernel.kallsyms])
\tffffffff81430b3d ktime_get_mono_fast_ns ([kernel.kallsyms])
\tffffffffc00014bc bpf_prog_aecea0edc6a68cd3_app_write_uprobe (bpf_prog_aecea0edc6a68cd3_app_write_uprobe)
\tffffffff814dc677 __uprobe_perf_func ([kernel.kallsyms])
\tffffffff8133e447 __x64_sys_uprobe ([kernel.kallsyms])

\tffffffff8224d141 do_syscall_64 ([kernel.kallsyms])
\tffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
\t               e [unknown] ([uprobes-trampoline])
\t           9bb24 [unknown] (/work/main/node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node)

\tffffffff814cf3a3 trace_call_bpf ([kernel.kallsyms])
\tffffffff814c34de perf_syscall_exit ([kernel.kallsyms])
\tffffffff8142447c syscall_exit_work ([kernel.kallsyms])
\t           fde9d __GI___writev (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t          9dd4a6 non-virtual thunk to node::LibuvStreamWrap::DoTryWrite(uv_buf_t**, unsigned long*) (/usr/bin/node)

\tffffffff814c3684 perf_trace_buf_alloc ([kernel.kallsyms])
\tffffffff81f10c13 perf_trace_sock_msg_length ([kernel.kallsyms])
\tffffffff81e7d1ea call_trace_sock_send_length.constprop.0 ([kernel.kallsyms])
\tffffffff81e7e635 sock_write_iter ([kernel.kallsyms])


\t          f35a94 v8::internal::JSObject::DefineOwnPropertyIgnoreAttributes (/usr/bin/node)
\t         1130ed5 v8::internal::Runtime_DefineKeyedOwnPropertyInLiteral (/usr/bin/node)

\tffffffff81e7e635 sock_write_iter ([kernel.kallsyms])
\t          9dd4a6 non-virtual thunk to node::LibuvStreamWrap::DoTryWrite(uv_buf_t**, unsigned long*) (/usr/bin/node)
`;

test('each sample goes to the innermost part of the observer its stack is in, else to the rest', async () => {
  assert.deepEqual(await attributeSamples(PERF_SCRIPT.split('\n')), {
    ring_buffer: 1,
    bpf_programs: 1,
    uprobe_entry: 1,
    syscall_tracepoints: 1,
    tcp_tracepoint: 1,
    rest: 2,
  });
});

test('a breakpoint uprobe is an uprobe entry too: its int3 trap and its single step', async () => {
  const traps = `
\tffffffff8224f0f3 irqentry_exit_to_user_mode ([kernel.kallsyms])
\tffffffff82401a0a asm_exc_int3 ([kernel.kallsyms])
\t            1110 app_write_plain (/work/main/services/app/native/build/libappmarker.so)

\tffffffff8224f0f3 irqentry_exit_to_user_mode ([kernel.kallsyms])
\tffffffff8224c9f4 exc_debug_user ([kernel.kallsyms])
\tffffffff82401c3b asm_exc_debug ([kernel.kallsyms])
\t    7f2d8e1f2000 [unknown] ([uprobes])
`;
  assert.equal((await attributeSamples(traps.split('\n'))).uprobe_entry, 2);
  assert.deepEqual(Object.values(await attributeSamples([])), [0, 0, 0, 0, 0, 0]);
});
