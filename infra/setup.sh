#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine, and nothing when it is all
# there: Debian packages, the npm workspaces, the Kafka broker's jars, the
# OpenTelemetry Collector build and vegeta (bench:open's reference). Idempotent; run by
# `npm start` and `npm test`, or alone as `npm run setup`. Downloads and builds are cached
# under ~/.cache/obscost (or $XDG_CACHE_HOME/obscost), outside the repository, so a fresh
# clone reuses them.
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
  java:openjdk-17-jre-headless
  javac:openjdk-17-jdk-headless
  mvn:maven
  prometheus:prometheus
  promtool:prometheus
  clang:clang
  llc:llvm
  bpftool:bpftool
  bpftrace:bpftrace
  capsh:libcap2-bin
  ss:iproute2
  perf:linux-perf
  openssl:openssl
  clang-format:clang-format
  chromium:chromium
)
# Headers and libraries, checked by a file they install.
REQUIRED_FILES=(
  /usr/include/bpf/libbpf.h:libbpf-dev
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
  for entry in "${REQUIRED_FILES[@]}"; do
    [[ -e ${entry%%:*} ]] || missing+=("${entry#*:}")
  done
  ((${#missing[@]} == 0)) && return
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]}"
  # Packages such as prometheus start a system service on install; the project runs its
  # own instances on its own ports, so policy-rc.d forbids service starts meanwhile.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod +x "$policy"
    created_policy=1
  fi
  local status=0
  "${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null || status=$?
  if ((created_policy)); then "${sudo[@]}" rm -f "$policy"; fi
  ((status == 0)) || die "apt-get failed (exit $status) installing: ${missing[*]}"
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

CACHE_DIR=${OBSCOST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/obscost}

# The cache directory for what a manifest yields: named after the manifest's hash, as
# infra/src/artifacts.ts computes it.
cached_for() {
  local kind=$1
  shift
  printf '%s/%s-%s' "$CACHE_DIR" "$kind" "$(cat "$@" | sha256sum | cut -c1-16)"
}

# Copies the dependencies a pom names from Maven Central into the cache, once for each
# version of the pom: fetch_with_maven KIND POM WHAT SUBDIR [MAVEN FLAGS...]
fetch_with_maven() {
  local kind=$1 pom=$2 what=$3 subdir=$4 dir
  shift 4
  dir=$(cached_for "$kind" "$pom")
  [[ -f $dir/complete ]] && return
  say "fetching $what from Maven Central into $dir"
  rm -rf "${CACHE_DIR:?}/$kind"-*
  mkdir -p "$dir"
  mvn -B -f "$pom" dependency:copy-dependencies "$@" -DoutputDirectory="$dir/$subdir" \
    >"$dir/fetch.log" 2>&1 || die "Maven failed: see $dir/fetch.log"
  touch "$dir/complete"
}

fetch_kafka_jars() {
  fetch_with_maven kafka infra/kafka/pom.xml "the Kafka broker's jars" libs -DincludeScope=runtime
}

# Modules the checksum database mirrored here has no entry for, at the pinned version
# (see otel/builder-config.yaml); every other module is verified as usual.
COLLECTOR_MODULES_WITHOUT_SUMDB=(
  github.com/open-telemetry/opentelemetry-collector-contrib/receiver/fluentforwardreceiver
  github.com/open-telemetry/opentelemetry-collector-contrib/connector/sumconnector
)

build_collector() {
  local manifest=otel/builder-config.yaml dir version builder
  dir=$(cached_for otelcol "$manifest")
  [[ -x $dir/otelcol-obscost ]] && return
  version=$(sed -n 's/^  version: *//p' "$manifest")
  builder=$CACHE_DIR/ocb-$version/builder
  if [[ ! -x $builder ]]; then
    say "installing the OpenTelemetry Collector Builder v$version"
    mkdir -p "$CACHE_DIR/ocb-$version"
    GOBIN=$CACHE_DIR/ocb-$version go install "go.opentelemetry.io/collector/cmd/builder@v$version" \
      >"$CACHE_DIR/ocb-$version/install.log" 2>&1 ||
      die "installing the Collector Builder failed: see $CACHE_DIR/ocb-$version/install.log"
  fi
  say "building the OpenTelemetry Collector into $dir (a few minutes, once per manifest)"
  rm -rf "$CACHE_DIR"/otelcol-*
  mkdir -p "$dir.build"
  sed "s|^dist:|dist:\n  output_path: $dir.build|" "$manifest" >"$dir.build/builder-config.yaml"
  GONOSUMDB=$(
    IFS=,
    echo "${COLLECTOR_MODULES_WITHOUT_SUMDB[*]}"
  ) "$builder" --config "$dir.build/builder-config.yaml" >"$dir.build/build.log" 2>&1 ||
    die "the Collector build failed: see $dir.build/build.log"
  mkdir -p "$dir"
  mv "$dir.build/otelcol-obscost" "$dir/"
  rm -rf "$dir.build"
}

# A Go program of this repository built once into the cache, keyed by its sources: NAME is
# the cache directory's prefix and the binary's name, as infra/src/artifacts.ts finds them;
# SRC the module's directory; FILE... the files the key is made of, relative to SRC.
build_go_program() {
  local name=$1 src=$2 description=$3 dir
  shift 3
  dir=$(cached_for "$name" "${@/#/$src/}")
  [[ -x $dir/$name ]] && return
  say "building $description into $dir"
  rm -rf "$CACHE_DIR/$name"-*
  mkdir -p "$dir"
  (cd "$src" && go build -trimpath -o "$dir/$name" .) >"$dir/build.log" 2>&1 ||
    die "building $description failed: see $dir/build.log"
}

# The Compose files cannot run here (no Docker engine); the tests load them with
# compose-go, docker compose's own loader, built from infra/compose-check.
build_compose_check() {
  build_go_program compose-check infra/compose-check "the Compose checker (compose-go)" \
    main.go go.mod go.sum
}

# The seed's Go service, a fixture of the tests and the first service other than our app
# that the comparison measures; infra/src/artifacts.ts (goServiceBinary) finds it here.
build_go_service() {
  build_go_program go-service fixtures/go-service "the seed's Go service" \
    main.go handlers.go go.mod go.sum
}

# The OpenTelemetry Java agent, the zero-code OpenTelemetry the otel-sdk scenario loads into a
# Java service; infra/src/artifacts.ts (javaAgentJar) finds it here. The jar alone: it bundles
# what it needs, and its version is left off the name, so the code names no version.
fetch_java_agent() {
  fetch_with_maven javaagent infra/javaagent/pom.xml "the OpenTelemetry Java agent" . \
    -DexcludeTransitive=true -Dmdep.stripVersion=true
}

# The Java fixture service, compiled once: `java -cp DIR Server` starts in a fifth of the time
# the source launcher (`java Server.java`) takes, and the Java agent does not start under the
# source launcher at all (it takes javac's launcher for a JDK tool). infra/src/artifacts.ts
# (javaServiceClasses) finds it here.
build_java_service() {
  local src=fixtures/java-service/Server.java dir
  dir=$(cached_for java-service "$src")
  [[ -f $dir/Server.class ]] && return
  say "compiling the Java service into $dir"
  rm -rf "$CACHE_DIR"/java-service-*
  mkdir -p "$dir"
  javac -d "$dir" "$src" >"$dir/build.log" 2>&1 ||
    die "compiling the Java service failed: see $dir/build.log"
}

# vegeta, the independent constant-rate generator npm run bench:open checks our open model
# against; the version is the one benchmarks/open-model.ts reads from the cache.
VEGETA_VERSION=12.13.0

install_vegeta() {
  local dir=$CACHE_DIR/vegeta-$VEGETA_VERSION
  [[ -x $dir/vegeta ]] && return
  say "installing vegeta v$VEGETA_VERSION into $dir"
  mkdir -p "$dir"
  GOBIN=$dir go install "github.com/tsenart/vegeta/v12@v$VEGETA_VERSION" >"$dir/install.log" 2>&1 ||
    die "installing vegeta failed: see $dir/install.log"
}

# Classic tracepoints attach through tracefs, which a fresh machine may not have mounted.
mount_tracefs() {
  local tracefs=/sys/kernel/tracing
  [[ -d $tracefs/events ]] && return
  say "mounting tracefs at $tracefs"
  if ((EUID == 0)); then mount -t tracefs nodev "$tracefs"; else sudo mount -t tracefs nodev "$tracefs"; fi ||
    die "cannot mount tracefs at $tracefs: the eBPF observer and bpftrace need it"
}

# fastavro, in a virtualenv of its own: the tests decode the observer's records with it.
install_python_packages() {
  local requirements=infra/python-requirements.txt dir
  dir=$(cached_for python "$requirements")
  [[ -x $dir/bin/python && -f $dir/complete ]] && return
  say "installing Python packages into $dir: $(grep -v '^#' "$requirements" | xargs)"
  rm -rf "$CACHE_DIR"/python-*
  python3 -c 'import ensurepip' 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv "$dir" && "$dir/bin/pip" install -q -r "$requirements" >"$dir/install.log" 2>&1 ||
    die "installing Python packages failed: see $dir/install.log"
  touch "$dir/complete"
}

# The Python services' own virtualenv (not the tests'): Flask and waitress for
# fixtures/python-service, and OpenTelemetry's zero-code agent, which the otel-sdk scenario
# loads into a Python service; infra/src/artifacts.ts (pythonServiceVenv) finds it here. Not
# named python-*: install_python_packages removes those.
install_python_service_packages() {
  local requirements=infra/python-service-requirements.txt dir
  dir=$(cached_for service-python "$requirements")
  [[ -x $dir/bin/python && -f $dir/complete ]] && return
  say "installing the Python services' packages into $dir"
  rm -rf "$CACHE_DIR"/service-python-*
  python3 -c 'import ensurepip' 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv "$dir" && "$dir/bin/pip" install -q -r "$requirements" >"$dir/install.log" 2>&1 ||
    die "installing the Python services' packages failed: see $dir/install.log"
  touch "$dir/complete"
}

# The kernel matrix (test/kernels.test.ts) boots the pinned Debian kernels of
# infra/kernels/kernels.json under qemu, with a busybox initramfs and the host's root shared
# read-only by virtiofsd (qemu-system-x86 ships it). Each kernel's packages are extracted
# into a folder named after its version, never installed into /boot; an apt of its own reads
# infra/kernels/debian.sources into lists under the cache, so the host's sources stay as
# they are.
fetch_vm_kernels() {
  local packages=() sudo=()
  [[ -x /usr/bin/qemu-system-x86_64 && -x /usr/lib/qemu/virtiofsd ]] || packages+=(qemu-system-x86)
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || packages+=(busybox-static)
  if ((${#packages[@]} > 0)); then
    ((EUID == 0)) || sudo=(sudo)
    say "installing Debian packages for the kernel matrix: ${packages[*]}"
    "${sudo[@]}" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null || die "apt-get failed installing: ${packages[*]}"
  fi
  local listed version pins apt_dir=$CACHE_DIR/vm-apt dir kept=() updated=0
  listed=$(node -e 'for (const k of require(process.argv[1]).kernels) console.log(k.version, ...k.packages)' \
    "$PWD/infra/kernels/kernels.json")
  local apt=(-o Dir::Etc::SourceList="$PWD/infra/kernels/debian.sources" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Debug::NoLocking=1
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false)
  while read -r version pins; do
    dir=$CACHE_DIR/kernel-$version
    kept+=("$dir")
    [[ -f $dir/complete ]] && continue
    if ((!updated)); then
      rm -rf "$apt_dir" && mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache"
      apt-get "${apt[@]}" update -qq >"$apt_dir/update.log" 2>&1 ||
        die "apt-get update for the kernels failed: see $apt_dir/update.log"
      updated=1
    fi
    say "fetching kernel $version into $dir"
    rm -rf "$dir" && mkdir -p "$dir/debs"
    # shellcheck disable=SC2086 # one word per pinned package
    (cd "$dir/debs" && apt-get "${apt[@]}" download $pins) >"$dir/fetch.log" 2>&1 ||
      die "fetching kernel $version failed: see $dir/fetch.log"
    for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
    rm -rf "$dir/debs"
    touch "$dir/complete"
  done <<<"$listed"
  rm -rf "$apt_dir"
  for dir in "$CACHE_DIR"/kernel-*; do
    [[ -d $dir && " ${kept[*]} " != *" $dir "* ]] && rm -rf "$dir"
  done
  return 0
}

# Go lives in /usr/local/go on these machines, on PATH only for login shells.
find_go() {
  command -v go >/dev/null && return
  [[ -x /usr/local/go/bin/go ]] && PATH=$PATH:/usr/local/go/bin && return
  die "Go is not installed: the Collector, the Compose checker and the Go service are built with it (go.dev/dl)"
}

check_node
install_debian_packages
mount_tracefs
install_npm_packages
find_go
fetch_kafka_jars
build_collector
build_compose_check
build_go_service
fetch_java_agent
build_java_service
install_vegeta
install_python_packages
install_python_service_packages
fetch_vm_kernels

# Helm and the chart's strict checker: no cluster runs here, so test/helm.test.ts renders
# deploy/helm/obscost with the real Helm and decodes every object with infra/helm-check
# (the Kubernetes API's own types). Helm is built from the Go module proxy, as the
# Collector is: about 5 minutes on two cores and 1.3 GB of memory, once per version, under
# nice so that the machine stays usable; the ldflag makes `helm version` tell the truth.
HELM_VERSION=4.3.2

build_helm() {
  local dir=$CACHE_DIR/helm-$HELM_VERSION
  [[ -x $dir/helm ]] && "$dir/helm" version >/dev/null 2>&1 && return
  say "building Helm v$HELM_VERSION into $dir (about 5 minutes, once)"
  mkdir -p "$dir"
  GOBIN=$dir nice go install -ldflags "-X helm.sh/helm/v4/internal/version.version=v$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@v$HELM_VERSION" >"$dir/install.log" 2>&1 ||
    die "building Helm failed: see $dir/install.log"
}

build_helm_check() {
  build_go_program helm-check infra/helm-check "the chart's checker (k8s.io/api)" \
    main.go servicemonitor.go go.mod go.sum
}

build_helm
build_helm_check

# The dashboards' strict checker of infra/grafana-check (Grafana Foundation SDK's own types).
build_grafana_check() {
  build_go_program grafana-check infra/grafana-check \
    "the dashboards' checker (grafana-foundation-sdk)" \
    main.go dashboard.go duplicates.go go.mod go.sum
}

build_grafana_check
