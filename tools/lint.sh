#!/usr/bin/env bash
# Formatting and static analysis, as CI runs them.
#   tools/lint.sh BUILD_DIR      (BUILD_DIR holds compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
mapfile -t sources < <(git ls-files '*.cc' '*.h' | grep -E '^(src|include|tools|tests)/')
clang-format --dry-run -Werror "${sources[@]}"
mapfile -t tidy < <(git ls-files '*.cc' | grep -E '^(src|tools)/')
clang-tidy -p "$build" --quiet "${tidy[@]}" 2>/dev/null
echo "lint: clean (${#sources[@]} files formatted, ${#tidy[@]} files tidy)"
