import koffi from 'koffi';
import { ObserverError } from './errors.js';

/**
 * koffi bindings to the system's libbpf (1.1 on these machines) and the few libc calls
 * the ring buffer needs. Nothing else in the observer touches the FFI: pure logic is
 * tested on recorded bytes, without root.
 */
const lib = koffi.load('libbpf.so.1');
const libc = koffi.load('libc.so.6');

export const BpfObjectOpenOpts = koffi.struct('bpf_object_open_opts', {
  sz: 'size_t',
  object_name: 'const char *',
  relaxed_maps: 'bool',
  pin_root_path: 'const char *',
  attach_prog_fd_removed: 'uint32_t',
  kconfig: 'const char *',
  btf_custom_path: 'const char *',
  kernel_log_buf: 'void *',
  kernel_log_size: 'size_t',
  kernel_log_level: 'uint32_t',
});

export const BpfUprobeOpts = koffi.struct('bpf_uprobe_opts', {
  sz: 'size_t',
  ref_ctr_offset: 'size_t',
  bpf_cookie: 'uint64_t',
  retprobe: 'bool',
  func_name: 'const char *',
});

export const OPEN_OPTS_SIZE = koffi.sizeof(BpfObjectOpenOpts);
export const UPROBE_OPTS_SIZE = koffi.sizeof(BpfUprobeOpts);

koffi.opaque('bpf_object');
koffi.opaque('bpf_program');
koffi.opaque('bpf_map');
koffi.opaque('bpf_link');
koffi.opaque('btf');

/** An opaque libbpf pointer (struct bpf_object *, struct bpf_program *, ...). */
export type Pointer = object;

export interface OpenOptions {
  sz: number;
  object_name: string | null;
  relaxed_maps: boolean;
  pin_root_path: string | null;
  attach_prog_fd_removed: number;
  kconfig: string | null;
  btf_custom_path: string | null;
  kernel_log_buf: Buffer | null;
  kernel_log_size: number;
  kernel_log_level: number;
}

export const libbpf = {
  openFile: lib.func(
    'bpf_object *bpf_object__open_file(const char *path, const bpf_object_open_opts *opts)',
  ) as (path: string, opts: OpenOptions) => Pointer | null,
  load: lib.func('int bpf_object__load(bpf_object *obj)') as (obj: Pointer) => number,
  close: lib.func('void bpf_object__close(bpf_object *obj)') as (obj: Pointer) => void,
  findProgram: lib.func(
    'bpf_program *bpf_object__find_program_by_name(bpf_object *obj, const char *name)',
  ) as (obj: Pointer, name: string) => Pointer | null,
  setAutoload: lib.func('int bpf_program__set_autoload(bpf_program *prog, bool autoload)') as (
    prog: Pointer,
    autoload: boolean,
  ) => number,
  programFd: lib.func('int bpf_program__fd(bpf_program *prog)') as (prog: Pointer) => number,
  findMap: lib.func('bpf_map *bpf_object__find_map_by_name(bpf_object *obj, const char *name)') as (
    obj: Pointer,
    name: string,
  ) => Pointer | null,
  setMaxEntries: lib.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t max_entries)') as (
    map: Pointer,
    maxEntries: number,
  ) => number,
  maxEntries: lib.func('uint32_t bpf_map__max_entries(const bpf_map *map)') as (
    map: Pointer,
  ) => number,
  setInitialValue: lib.func(
    'int bpf_map__set_initial_value(bpf_map *map, const void *data, size_t size)',
  ) as (map: Pointer, data: Buffer, size: number) => number,
  mapFd: lib.func('int bpf_map__fd(bpf_map *map)') as (map: Pointer) => number,
  attach: lib.func('bpf_link *bpf_program__attach(bpf_program *prog)') as (
    prog: Pointer,
  ) => Pointer | null,
  attachUprobe: lib.func(
    'bpf_link *bpf_program__attach_uprobe_opts(bpf_program *prog, int pid, const char *binary_path, size_t func_offset, const bpf_uprobe_opts *opts)',
  ) as (
    prog: Pointer,
    pid: number,
    binaryPath: string,
    offset: number,
    opts: {
      sz: number;
      ref_ctr_offset: number;
      bpf_cookie: number;
      retprobe: boolean;
      func_name: string;
    },
  ) => Pointer | null,
  destroyLink: lib.func('int bpf_link__destroy(bpf_link *link)') as (link: Pointer) => number,
  parseBtf: lib.func('btf *btf__parse(const char *path, void *btf_ext)') as (
    path: string,
    btfExt: null,
  ) => Pointer | null,
  findBtfType: lib.func(
    'int32_t btf__find_by_name_kind(const btf *btf, const char *name, uint32_t kind)',
  ) as (btf: Pointer, name: string, kind: number) => number,
  freeBtf: lib.func('void btf__free(btf *btf)') as (btf: Pointer) => void,
  mapUpdate: lib.func(
    'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
  ) as (fd: number, key: Buffer, value: Buffer, flags: number) => number,
  mapLookup: lib.func('int bpf_map_lookup_elem(int fd, const void *key, void *value)') as (
    fd: number,
    key: Buffer,
    value: Buffer,
  ) => number,
  mapDelete: lib.func('int bpf_map_delete_elem(int fd, const void *key)') as (
    fd: number,
    key: Buffer,
  ) => number,
  objectInfo: lib.func('int bpf_obj_get_info_by_fd(int fd, void *info, uint32_t *info_len)') as (
    fd: number,
    info: Buffer,
    infoLength: number[],
  ) => number,
  enableStats: lib.func('int bpf_enable_stats(int type)') as (type: number) => number,
  possibleCpus: lib.func('int libbpf_num_possible_cpus(void)') as () => number,
  /** Silences libbpf's own stderr output: errors are reported by the observer instead. */
  setPrint: lib.func('void *libbpf_set_print(void *fn)') as (fn: null) => unknown,
};

export const libcCalls = {
  mmap: libc.func(
    'void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)',
  ) as (
    addr: null,
    length: number,
    prot: number,
    flags: number,
    fd: number,
    offset: number,
  ) => Pointer | null,
  munmap: libc.func('int munmap(void *addr, size_t length)') as (
    addr: Pointer,
    length: number,
  ) => number,
  close: libc.func('int close(int fd)') as (fd: number) => number,
  strerror: libc.func('const char *strerror(int errnum)') as (errnum: number) => string,
};

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
/** mmap's MAP_FAILED, as koffi returns it. */
export function mmapFailed(pointer: Pointer | null): boolean {
  return pointer === null || koffi.address(pointer) === 0xffffffffffffffffn;
}

export function errno(): number {
  return koffi.errno();
}

export function errnoMessage(code: number): string {
  return libcCalls.strerror(code);
}

/** A failed libbpf or system call, as OBS_BPF with the system's reason (errno by default). */
export function callFailure(what: string, code = errno()): ObserverError {
  return new ObserverError('OBS_BPF', `${what}: ${errnoMessage(code)} (errno ${code})`);
}

export function view(pointer: Pointer, length: number): ArrayBuffer {
  return koffi.view(pointer, length);
}
