#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine, and nothing when it is all
# there: Debian packages first, then the npm workspaces. Idempotent; run by `npm start`
# and `npm test`, or alone as `npm run setup`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# A command the project runs, and the Debian package that provides it.
REQUIRED_COMMANDS=(
  cc:gcc
  make:make
  objdump:binutils
  nm:binutils
  wrk:wrk
)

check_node() {
  local version major minor
  version=$(node --version 2>/dev/null) || die "Node.js is not installed: install Node.js 20.11 or newer"
  IFS=. read -r major minor _ <<<"${version#v}"
  if ((major < 20 || (major == 20 && minor < 11))); then
    die "Node.js $version is too old: the project needs 20.11 or newer"
  fi
}

install_debian_packages() {
  local missing=() entry
  for entry in "${REQUIRED_COMMANDS[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  ((${#missing[@]} == 0)) && return
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# node_modules is reinstalled when the lock file or the Node.js version changes.
install_npm_packages() {
  local stamp=node_modules/.setup-stamp wanted
  wanted="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
  [[ -f $stamp && "$(cat "$stamp")" == "$wanted" ]] && return
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$wanted" >"$stamp"
}

check_node
install_debian_packages
install_npm_packages
