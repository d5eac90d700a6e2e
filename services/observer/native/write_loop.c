// A synthetic producer for the observer's tests and benchmarks: waits for a line on
// stdin (so the observer can attach to its pid first), then calls write(2) exactly N
// times with B bytes to /dev/null, optionally paced at R writes per second, and exits.
// It writes nothing else, so N is the exact number of write events it causes.
//   write-loop N [B [R]]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  long long count = atoll(argv[1]);
  size_t bytes = argc > 2 ? (size_t)atoll(argv[2]) : 1;
  double rate = argc > 3 ? atof(argv[3]) : 0;
  char buffer[65536];
  if (bytes > sizeof(buffer)) return 2;
  memset(buffer, 'x', bytes);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) return 1;
  char line[16];
  if (read(STDIN_FILENO, line, sizeof(line)) < 0) return 1;
  long long start = now_ns();
  for (long long i = 0; i < count; i++) {
    if (rate > 0 && (i & 1023) == 0) {
      long long due = start + (long long)(i * 1e9 / rate);
      while (now_ns() < due)
        ;
    }
    if (write(fd, buffer, bytes) != (ssize_t)bytes) return 1;
  }
  return 0;
}
