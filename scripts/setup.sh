#!/usr/bin/env bash
# Installs what ktel needs to build, test and record on Debian 12, and nothing
# that is already there. Idempotent; safe to run on every `make`.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ clang pkg-config
  # libraries
  libcli11-dev libfmt-dev nlohmann-json3-dev libsimdjson-dev libsqlite3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev sqlite3 python3
  # eBPF backend (clang -target bpf, skeletons, libbpf)
  llvm bpftool libbpf-dev libelf-dev zlib1g-dev
  # sched source: libtraceevent cross-checks our page parser in tests;
  # trace-cmd is the peer in the benchmarks
  libtraceevent-dev trace-cmd
  # workloads: hackbench (rt-tests), sysbench, stress-ng; custom workloads are TOML
  rt-tests sysbench stress-ng libtomlplusplus-dev
  # datasets: oracle tests read our CSVs with pandas and .npy files with numpy
  # (Debian's /usr/bin/python3); GNU time measures the benchmarks' peak RSS
  python3-pandas python3-numpy time procps
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  echo "setup: not root and no sudo; as root run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
