#!/usr/bin/env bash
# The seed's bpftrace demo on one process: npm run bpftrace -- --pid N [--duration S]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
pid="" duration=""
while (($#)); do
  case $1 in
    --pid) pid=${2:-} && shift 2 ;;
    --duration) duration=${2:-} && shift 2 ;;
    *) echo "bpftrace: unknown flag $1 (usage: --pid N [--duration SECONDS])" >&2 && exit 2 ;;
  esac
done
[[ $pid =~ ^[0-9]+$ ]] || { echo "bpftrace: --pid N is required" >&2 && exit 2; }
[[ -d /proc/$pid ]] || { echo "bpftrace: no process with pid $pid" >&2 && exit 1; }
if [[ -n $duration ]]; then
  [[ $duration =~ ^[0-9]+$ ]] || { echo "bpftrace: --duration takes whole seconds" >&2 && exit 2; }
  exec timeout --signal=INT "$duration" bpftrace http_bytes.bt "$pid"
fi
exec bpftrace http_bytes.bt "$pid"
