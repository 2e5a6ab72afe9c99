#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (unit + integration).
#   tools/test.sh            # as root or with sudo
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_INSTALL:-0}" = 1 ] || tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"${JOBS:-2}"
ctest --test-dir build --output-on-failure -j"${JOBS:-2}"
