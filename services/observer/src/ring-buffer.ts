import {
  errno,
  errnoMessage,
  libcCalls,
  MAP_SHARED,
  mmapFailed,
  PROT_READ,
  PROT_WRITE,
  view,
  type Pointer,
} from './libbpf.js';
import { ObserverError } from './errors.js';

/* include/uapi/linux/bpf.h */
const BUSY_BIT = 0x80000000;
const DISCARD_BIT = 0x40000000;
const HEADER_SIZE = 8;

export const PAGE_SIZE = 4096;

/**
 * Called once per committed record, in place (no copy): `words` is the data area as 32-bit
 * little-endian words, `offset` the record's first byte (a multiple of 8), `length` its size.
 */
export type RecordVisitor = (words: Uint32Array, offset: number, length: number) => unknown;

/**
 * The consumer side of a BPF ring buffer, over memory laid out as the kernel maps it: a
 * consumer page (its position, which we advance), a producer page (the kernel's position),
 * then the data pages mapped twice in a row, so that a record that wraps is contiguous.
 */
export class RingBufferReader {
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  private readonly words: Uint32Array;
  private readonly mask: number;

  constructor(
    consumerPage: ArrayBuffer,
    producerAndData: ArrayBuffer,
    readonly size: number,
  ) {
    this.consumer = new BigUint64Array(consumerPage, 0, 1);
    this.producer = new BigUint64Array(producerAndData, 0, 1);
    this.words = new Uint32Array(producerAndData, PAGE_SIZE, (2 * size) / 4);
    this.mask = size - 1;
  }

  /** Bytes written by the kernel and not yet consumed. */
  get pending(): number {
    return this.producerPosition() - this.consumerPosition();
  }

  /** Visits every committed record, then releases their space to the kernel. Returns the count. */
  drain(visit: RecordVisitor): number {
    const start = this.consumerPosition();
    // Positions are 64-bit and pass 2^32 within minutes; what is left to read and the
    // offsets are below the size, so the loop does 32-bit integer arithmetic only.
    const available = this.producerPosition() - start;
    const words = this.words;
    const mask = this.mask;
    let offset = start % this.size;
    let consumed = 0;
    let records = 0;
    while (consumed < available) {
      // A plain load: the JIT keeps typed-array loads in program order, after the acquire
      // load of the producer position, and x86 does not reorder loads. (An Atomics.load
      // here is correct too, and costs a third of the drain's speed.)
      const header = words[offset >>> 2] ?? BUSY_BIT;
      if ((header & BUSY_BIT) !== 0) break;
      const length = header & ~(BUSY_BIT | DISCARD_BIT);
      if ((header & DISCARD_BIT) === 0) {
        visit(words, offset + HEADER_SIZE, length);
        records++;
      }
      const advance = (length + HEADER_SIZE + 7) & ~7;
      consumed += advance;
      offset = (offset + advance) & mask;
    }
    Atomics.store(this.consumer, 0, BigInt(start + consumed));
    return records;
  }

  /**
   * The kernel's position, with acquire semantics as libbpf's smp_load_acquire. Read
   * through a DataView instead, tight polling saw records the kernel had not yet written
   * (stale data from the previous lap read as events, in half of the flood tests).
   */
  private producerPosition(): number {
    return Number(Atomics.load(this.producer, 0));
  }

  private consumerPosition(): number {
    return Number(Atomics.load(this.consumer, 0));
  }
}

/** Maps the ring buffer map `fd` of `size` bytes into this process, read-only but for its consumer page. */
export function mapRingBuffer(
  fd: number,
  size: number,
): { reader: RingBufferReader; unmap: () => void } {
  const consumer = libcCalls.mmap(null, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mmapFailed(consumer)) throw mmapError('consumer page');
  const dataLength = PAGE_SIZE + 2 * size;
  const producer = libcCalls.mmap(null, dataLength, PROT_READ, MAP_SHARED, fd, PAGE_SIZE);
  if (mmapFailed(producer)) {
    libcCalls.munmap(consumer as Pointer, PAGE_SIZE);
    throw mmapError('data pages');
  }
  const reader = new RingBufferReader(
    view(consumer as Pointer, PAGE_SIZE),
    view(producer as Pointer, dataLength),
    size,
  );
  return {
    reader,
    unmap: () => {
      libcCalls.munmap(producer as Pointer, dataLength);
      libcCalls.munmap(consumer as Pointer, PAGE_SIZE);
    },
  };
}

function mmapError(what: string): ObserverError {
  const code = errno();
  return new ObserverError(
    'OBS_BPF',
    `cannot map the ring buffer's ${what}: ${errnoMessage(code)}`,
  );
}
