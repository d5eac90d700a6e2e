import { existsSync } from 'node:fs';
import { uprobeRefusalReason } from './capabilities.js';
import { ObserverError } from './errors.js';
import {
  callFailure,
  errno,
  libbpf,
  OPEN_OPTS_SIZE,
  UPROBE_OPTS_SIZE,
  type Pointer,
} from './libbpf.js';

const VERIFIER_LOG_SIZE = 4 * 1024 * 1024;
/* perf refuses a uprobe it asks CAP_SYS_ADMIN for with EACCES (EPERM on some paths). */
const PERMISSION_ERRNOS = new Set([1, 13]);
/* struct bpf_map_info in include/uapi/linux/bpf.h: __u32 type, then __u32 id. */
const MAP_INFO_SIZE = 96;
const MAP_INFO_ID = 4;

libbpf.setPrint(null);

/* include/uapi/linux/btf.h */
const BTF_KIND_FUNC = 12;

/** Whether the kernel's BTF (`btfPath`) describes a function of this name: a kfunc is one. */
export function kernelHasFunction(btfPath: string, name: string): boolean {
  const btf = libbpf.parseBtf(btfPath, null);
  if (btf === null) return false;
  try {
    return libbpf.findBtfType(btf, name, BTF_KIND_FUNC) > 0;
  } finally {
    libbpf.freeBtf(btf);
  }
}

/** The last lines of a verifier log that say why it refused: the reason, not the trace. */
export function verifierReason(log: string): string {
  const lines = log
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(processed|verification time|stack depth)/.test(line));
  return lines.slice(-2).join(' / ');
}

export interface OpenOptions {
  /** The kernel's BTF, which CO-RE relocations read (preflight.ts checks that it exists). */
  btfPath: string;
  /** Ring buffers to resize before load: map name -> bytes (a power of 2, page multiple). */
  mapSizes?: Record<string, number>;
  /** Global data to set before load: a section's map name (`.rodata.mode`) -> its bytes, whole. */
  initialValues?: Record<string, Buffer>;
  /**
   * Programs not to load (for instance the TCP probe the kernel cannot attach), where the
   * object has them: an older object (--bpf-object) lacks the newer ones.
   */
  skipPrograms?: string[];
}

/** A link holding a program attached; destroying it detaches the program. */
export interface Link {
  destroy(): void;
}

/**
 * A BPF object file, opened, loaded and attached through libbpf. Nothing is pinned: when
 * the process exits, however it exits, the kernel drops every program and map.
 */
export class BpfObject {
  private constructor(
    private readonly object: Pointer,
    private readonly logBuffer: Buffer,
  ) {}

  static open(path: string, options: OpenOptions): BpfObject {
    if (!existsSync(path)) {
      throw new ObserverError('OBS_BPF', `no BPF object at ${path}: run "npm run build"`);
    }
    const logBuffer = Buffer.alloc(VERIFIER_LOG_SIZE);
    const object = libbpf.openFile(path, {
      sz: OPEN_OPTS_SIZE,
      object_name: null,
      relaxed_maps: false,
      pin_root_path: null,
      attach_prog_fd_removed: 0,
      kconfig: null,
      btf_custom_path: options.btfPath,
      kernel_log_buf: logBuffer,
      kernel_log_size: logBuffer.length,
      kernel_log_level: 0,
    });
    if (object === null) throw callFailure(`cannot open ${path}`);
    const bpf = new BpfObject(object, logBuffer);
    try {
      for (const [name, bytes] of Object.entries(options.mapSizes ?? {})) {
        if (libbpf.setMaxEntries(bpf.map(name), bytes) !== 0)
          throw callFailure(`cannot size map ${name}`);
      }
      for (const [name, data] of Object.entries(options.initialValues ?? {})) {
        if (libbpf.setInitialValue(bpf.map(name), data, data.length) !== 0)
          throw callFailure(`cannot set ${name}`);
      }
      for (const name of options.skipPrograms ?? []) {
        const program = libbpf.findProgram(object, name);
        if (program !== null) libbpf.setAutoload(program, false);
      }
    } catch (err) {
      bpf.close();
      throw err;
    }
    return bpf;
  }

  /** Loads every program; a refusal by the verifier carries the verifier's reason. */
  load(): void {
    if (libbpf.load(this.object) === 0) return;
    const code = errno();
    const log = this.logBuffer.toString('utf8', 0, Math.max(0, this.logBuffer.indexOf(0)));
    if (log.trim() !== '') {
      throw new ObserverError(
        'OBS_VERIFIER',
        `the BPF verifier rejected a program: ${verifierReason(log)}`,
      );
    }
    throw callFailure('cannot load the BPF programs', code);
  }

  program(name: string): Pointer {
    const program = libbpf.findProgram(this.object, name);
    if (program === null) throw new ObserverError('OBS_BPF', `no BPF program named ${name}`);
    return program;
  }

  hasMap(name: string): boolean {
    return libbpf.findMap(this.object, name) !== null;
  }

  map(name: string): Pointer {
    const map = libbpf.findMap(this.object, name);
    if (map === null) throw new ObserverError('OBS_BPF', `no BPF map named ${name}`);
    return map;
  }

  /** How many entries the map holds at most. */
  maxEntries(name: string): number {
    return libbpf.maxEntries(this.map(name));
  }

  mapFd(name: string): number {
    return libbpf.mapFd(this.map(name));
  }

  /** The kernel's id of a map, by which another process can open it. */
  mapId(name: string): number {
    const info = Buffer.alloc(MAP_INFO_SIZE);
    if (libbpf.objectInfo(this.mapFd(name), info, [MAP_INFO_SIZE]) !== 0) {
      throw callFailure(`cannot read map ${name}'s info`);
    }
    return info.readUInt32LE(MAP_INFO_ID);
  }

  programFd(name: string): number {
    return libbpf.programFd(this.program(name));
  }

  /** Attaches by the program's section: tracepoint/..., kprobe/... */
  attach(name: string): Link {
    const link = libbpf.attach(this.program(name));
    if (link === null) throw callFailure(`cannot attach ${name}`);
    return { destroy: () => libbpf.destroyLink(link) };
  }

  /** Attaches a uprobe at `symbol` in `library`, for the process `pid` only. */
  attachUprobe(name: string, pid: number, library: string, symbol: string): Link {
    if (!existsSync(library)) {
      throw new ObserverError('OBS_UPROBE_LIBRARY', `uprobe library ${library} does not exist`);
    }
    const link = libbpf.attachUprobe(this.program(name), pid, library, 0, {
      sz: UPROBE_OPTS_SIZE,
      ref_ctr_offset: 0,
      bpf_cookie: 0,
      retprobe: false,
      func_name: symbol,
    });
    if (link === null) {
      const code = errno();
      if (code === 2) {
        throw new ObserverError('OBS_UPROBE_SYMBOL', `symbol ${symbol} not found in ${library}`);
      }
      if (PERMISSION_ERRNOS.has(code)) {
        throw new ObserverError(
          'OBS_MISSING_CAPABILITIES',
          `this kernel refuses the uprobe without CAP_SYS_ADMIN (${uprobeRefusalReason()}): run as root, or grant it, or leave the uprobe out (--probes write,tcp)`,
        );
      }
      throw callFailure(`cannot attach the uprobe on ${symbol} in ${library} for pid ${pid}`, code);
    }
    return { destroy: () => libbpf.destroyLink(link) };
  }

  /** Sets `key` (a u32) to `value` (a u8) in a hash or array map. */
  setElement(mapName: string, key: number, value: number): void {
    const keyBuffer = Buffer.alloc(4);
    keyBuffer.writeUInt32LE(key);
    if (libbpf.mapUpdate(this.mapFd(mapName), keyBuffer, Buffer.from([value]), 0) !== 0) {
      throw callFailure(`cannot update map ${mapName}`);
    }
  }

  /** Sets a global variable's section, a one-value array map (`.data.target`), to `value`. */
  setSection(mapName: string, value: Buffer): void {
    if (libbpf.mapUpdate(this.mapFd(mapName), Buffer.alloc(4), value, 0) !== 0) {
      throw callFailure(`cannot update ${mapName}`);
    }
  }

  /** Removes `key` (a u32) from a hash map; a missing key is not an error. */
  deleteElement(mapName: string, key: number): void {
    const keyBuffer = Buffer.alloc(4);
    keyBuffer.writeUInt32LE(key);
    libbpf.mapDelete(this.mapFd(mapName), keyBuffer);
  }

  close(): void {
    libbpf.close(this.object);
  }
}
