// The target of the probe-cost benchmark (benchmarks/probe-cost.ts): pins itself to CPU,
// prepares OP, waits for a line on stdin (so the observer can attach to its pid first),
// then does OP N times and prints the nanoseconds one call took, on average.
//   call-loop OP N CPU [LIBRARY SYMBOL]
// OP is one of:
//   write    write(2) of 32 bytes to /dev/null
//   getppid  getppid(2): a syscall no probe of the observer is for
//   tcp      write(2) of 32 bytes to a loopback TCP connection a child process drains
//   marker   SYMBOL(32) of LIBRARY: the app's marker, which the uprobe is on
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set);
}

// A connected loopback TCP socket; a child on another CPU reads the other end until it
// closes. The child is not the target: its reads are the host's, as any other process's.
static int tcp_connection(int loop_cpu) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof(addr);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
      listen(listener, 1) < 0 || getsockname(listener, (struct sockaddr *)&addr, &length) < 0)
    return -1;
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0 || connect(client, (struct sockaddr *)&addr, sizeof(addr)) < 0) return -1;
  int server = accept(listener, NULL, NULL);
  if (server < 0) return -1;
  pid_t reader = fork();
  if (reader < 0) return -1;
  if (reader == 0) {
    char buffer[1 << 16];
    close(client);
    // Off the loop's CPU, so the loop's time is its sends only.
    pin(loop_cpu == 0 ? 1 : 0);
    // A reader waiting in read() would be woken by every send, and the sends would time
    // its wake-ups: it reads what is there every millisecond instead.
    while (read(server, buffer, sizeof(buffer)) > 0) usleep(1000);
    _exit(0);
  }
  close(server);
  close(listener);
  return client;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: call-loop write|getppid|tcp|marker N CPU [LIBRARY SYMBOL]\n");
    return 2;
  }
  const char *op = argv[1];
  long long count = atoll(argv[2]);
  char buffer[32];
  memset(buffer, 'x', sizeof(buffer));
  int fd = -1;
  void (*marker)(uint64_t) = NULL;
  if (strcmp(op, "write") == 0) {
    fd = open("/dev/null", O_WRONLY);
  } else if (strcmp(op, "tcp") == 0) {
    fd = tcp_connection(atoi(argv[3]));
  } else if (strcmp(op, "marker") == 0) {
    void *library = argc > 5 ? dlopen(argv[4], RTLD_NOW) : NULL;
    marker = library ? (void (*)(uint64_t))dlsym(library, argv[5]) : NULL;
    if (!marker) {
      fprintf(stderr, "call-loop: no marker: %s\n", dlerror());
      return 1;
    }
  } else if (strcmp(op, "getppid") != 0) {
    fprintf(stderr, "call-loop: unknown op %s\n", op);
    return 2;
  }
  if ((fd < 0 && (strcmp(op, "write") == 0 || strcmp(op, "tcp") == 0)) || pin(atoi(argv[3])) < 0) {
    perror("call-loop");
    return 1;
  }
  char line[16];
  if (read(STDIN_FILENO, line, sizeof(line)) < 0) return 1;
  long long start = now_ns();
  for (long long i = 0; i < count; i++) {
    if (marker) {
      marker(sizeof(buffer));
    } else if (fd < 0) {
      syscall(SYS_getppid);  // not getppid(): libc must not answer from a cache
    } else if (write(fd, buffer, sizeof(buffer)) != (ssize_t)sizeof(buffer)) {
      perror("call-loop: write");
      return 1;
    }
  }
  long long elapsed = now_ns() - start;
  printf("%.1f\n", (double)elapsed / (double)count);
  return 0;
}
