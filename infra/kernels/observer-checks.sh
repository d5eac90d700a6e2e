#!/bin/sh
# Runs inside each guest of the kernel matrix (test/kernels.test.ts), on the host's root
# shared read-only: what the kernel offers, then the observer (metrics only) following
# workloads of known counts, once in ring mode with every probe and once in count mode,
# SIGKILLed after each, and the observer's BPF programs still loaded after the kill. Prints
# one line per fact for the test to read. Takes from its environment ROOT (the repository),
# N (the calls each workload makes) and PROGRAMS (the observer's program names as bpftool
# shows them). A node start takes seconds under emulation: two observers, not one a probe.
set -u
cd "$ROOT" || exit 1
OBSERVER=services/observer/dist/src/main.js
WRITE_LOOP=services/observer/native/build/write-loop
CALL_LOOP=services/observer/native/build/call-loop
MARKER=services/app/native/build/libappmarker.so
PORT=9100
WRITES='app_write_events_total{syscall="write",fd="other"}'
SOCKET_WRITES='app_write_events_total{syscall="write",fd="socket"}'

# Polls a command every 0.1 s for up to $1 seconds: emulated time is slow, and never fixed.
within() {
  tries=$(($1 * 10))
  shift
  until "$@"; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}

has() { if [ -e "$1" ]; then echo yes; else echo no; fi; }
echo "fact release=$(uname -r)"
echo "fact btf=$(has /sys/kernel/btf/vmlinux)"
echo "fact kprobes=$(has /sys/kernel/tracing/kprobe_events)"
echo "fact sock_send_length=$(has /sys/kernel/tracing/events/sock/sock_send_length)"
if grep -qw bpf_rdonly_cast /proc/kallsyms; then echo "fact rdonly_cast=yes"; else echo "fact rdonly_cast=no"; fi

# A series's value; a name without labels sums every series of that name.
scrape() {
  curl -s "http://127.0.0.1:$PORT/metrics" |
    awk -v s="$1" '$1 == s || index($1, s "{") == 1 { sum += $2; n++ } END { if (n) print sum }'
}
counted_at_least() { [ "$(scrape "$1")" -ge "$2" ] 2>/dev/null; }
started() { grep -q 'metrics on' "$1" || ! kill -0 "$2" 2>/dev/null; }
loaded() { bpftool prog show | sed -n 's/.* name \([^ ]*\) .*/\1/p' | grep -xF "$(echo "$PROGRAMS" | tr ' ' '\n')"; }
none_loaded() { [ -z "$(loaded)" ]; }
execed() { for pid in $workloads; do [ "$(cat "/proc/$pid/comm")" = "$1" ] || return 1; done; }

workloads='' fifos=''
# start_workload NAME COMMAND...: the command waits for a line on its stdin, a FIFO, until
# the observer follows it; its stdout is open for reading only, so the line call-loop prints
# fails and is no write (closed, the fd would be taken by call-loop's own file).
start_workload() {
  fifo=/tmp/go-$1
  shift
  mkfifo "$fifo"
  "$@" <>"$fifo" 1</dev/null 2>/dev/null &
  workloads="$workloads $!" fifos="$fifos $fifo"
}

# observe NAME FLAGS SERIES=COUNT...: the observer with FLAGS follows the workloads started,
# which then run to their end; each series is read until it reaches its count (or 30 s).
# With AS set, the observer runs under that command (fewer capabilities).
AS=''
observe() {
  name=$1 flags=$2 log=/tmp/observer-$1.log
  shift 2
  # shellcheck disable=SC2086 # one word per flag and per word of AS
  $AS node "$OBSERVER" --no-kafka --host 127.0.0.1 --port "$PORT" $flags >"$log" 2>&1 &
  observer=$!
  if within 60 started "$log" "$observer" && kill -0 "$observer" 2>/dev/null; then
    sed -n "s/^observer: watching .*/started $name &/p" "$log"
    for fifo in $fifos; do echo go >"$fifo"; done
    for pid in $workloads; do
      wait "$pid"
      echo "workload $name $pid exit=$?"
    done
    for pair in "$@"; do
      within 30 counted_at_least "${pair%=*}" "${pair##*=}"
      echo "result $name ${pair%=*} expected=${pair##*=} counted=$(scrape "${pair%=*}")"
    done
    kill -KILL "$observer"
  else
    for pid in $workloads; do kill -KILL "$pid"; done
    for pair in "$@"; do echo "result $name ${pair%=*} expected=${pair##*=} counted=none"; done
    sed "s/^/observer $name| /" "$log"
  fi
  wait "$observer" 2>/dev/null
  within 10 none_loaded
  echo "after-kill $name loaded=$(loaded | tr '\n' ' ')"
  workloads='' fifos=''
}

ip link set lo up
# Ring mode, every probe, the targets by name: three call-loops, one per kind of call.
start_workload write "$CALL_LOOP" write "$N" 0
start_workload tcp "$CALL_LOOP" tcp "$N" 0
start_workload marker "$CALL_LOOP" marker "$N" 0 "$MARKER" app_write
within 10 execed call-loop
observe ring '--comm call-loop --probes write,tcp,uprobe --tcp-probe auto' \
  "$WRITES=$N" "$SOCKET_WRITES=$N" "app_tcp_send_events_total=$N" "app_uprobe_calls_total=$N"
# Count mode: the write loop, by its pid.
start_workload count "$WRITE_LOOP" "$N" 1
within 10 execed write-loop
observe count "--mode count --probes write --pid ${workloads# }" "$WRITES=$N"
# The uprobe with CAP_BPF and CAP_PERFMON alone: perf asks CAP_SYS_ADMIN too since 6.16, and
# in the stable kernels that took that change; the observer says so when refused. Before 5.11
# BPF memory counts against RLIMIT_MEMLOCK, which libbpf raises only with CAP_SYS_RESOURCE:
# raised here first, as a service manager would (LimitMEMLOCK=infinity). Debian's kernels set
# kernel.perf_event_paranoid to 3, which refuses every perf event without CAP_SYS_ADMIN: set to
# the kernel's own default, 2, so that what is checked is the kernel's uprobe rule.
echo "fact perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)"
echo 2 >/proc/sys/kernel/perf_event_paranoid
# shellcheck disable=SC3045 # the host's /bin/sh (dash) has ulimit -l
ulimit -l unlimited
start_workload perfmon "$CALL_LOOP" marker "$N" 0 "$MARKER" app_write
within 10 execed call-loop
AS='setpriv --bounding-set -all,+bpf,+perfmon --inh-caps -all'
observe perfmon "--probes uprobe --pid ${workloads# }" "app_uprobe_calls_total=$N"
