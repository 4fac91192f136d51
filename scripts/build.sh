#!/usr/bin/env bash
# Configures and builds tinyc in build/ (Release with debug info, Ninja).
#   build.sh [target...]   only these targets (e.g. tinyc); default: everything, tests included
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" ${1:+--target "$@"}
