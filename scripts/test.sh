#!/usr/bin/env bash
# README command (b): set up, build (tinyc, the tests, the Python wheel) and run every test (unit,
# conformance, CLI, oracle, fuzz, Python).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/wheel.sh
scripts/fuzz.sh build
cd build
ctest --output-on-failure -j "$(nproc)"
