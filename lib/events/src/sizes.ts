/**
 * The size histograms' buckets, shared by the aggregator (from raw events) and the observer's
 * count mode (bpf/observer.h's SIZE_BOUND_FIRST and SIZE_BOUND_COUNT, counted in the kernel):
 * upper bounds in bytes, powers of 4 from 64 B to 1 MiB, then one unbounded bucket, so that
 * response writes of every usual size fall in distinct buckets.
 */
export const SIZE_BOUNDS = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576] as const;

/** The bucket a size falls in: the first whose bound it does not exceed, else the last. */
export function sizeBucket(bytes: number): number {
  let bucket = 0;
  while (bucket < SIZE_BOUNDS.length && bytes > (SIZE_BOUNDS[bucket] as number)) bucket++;
  return bucket;
}
