// The reference for the drain benchmark (benchmarks/ring-drain.ts): libbpf's own
// ring_buffer__consume on a ring buffer map given by id, counting events and bytes as the
// TypeScript drain does. Prints: events bytes nanoseconds.
//   ringbuf-drain MAP_ID
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../../bpf/observer.h"

static unsigned long long events, bytes;

static int count_event(void *ctx, void *data, size_t size) {
  (void)ctx;
  const struct event *e = data;
  if (size != sizeof(*e)) return 0;
  events++;
  bytes += e->bytes;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int fd = bpf_map_get_fd_by_id((__u32)atoi(argv[1]));
  if (fd < 0) return 1;
  struct ring_buffer *rb = ring_buffer__new(fd, count_event, NULL, NULL);
  if (!rb) return 1;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  if (ring_buffer__consume(rb) < 0) return 1;
  clock_gettime(CLOCK_MONOTONIC, &end);
  long long ns = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
  printf("%llu %llu %lld\n", events, bytes, ns);
  ring_buffer__free(rb);
  return 0;
}
