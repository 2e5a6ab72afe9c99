#!/usr/bin/env bash
# Installs the Debian packages provledger builds with (Debian 12).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config ccache git ca-certificates \
  librocksdb-dev libssl-dev libxxhash-dev libprotobuf-dev protobuf-compiler \
  libgrpc++-dev protobuf-compiler-grpc libgtest-dev libbenchmark-dev libabsl-dev \
  libcli11-dev nlohmann-json3-dev libicu-dev rocksdb-tools libjemalloc-dev libpsl-dev \
  fortunes fortunes-zh \
  chromium python3-jsonschema "$@"
# fortunes: text for the fingerprint evaluation (tools/eval); chromium and
# python3-jsonschema: the report tests (HTML in a browser, CycloneDX schema).
