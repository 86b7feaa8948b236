#!/usr/bin/env bash
# The project's test command (README "Run the tests"): installs what the tests need on a
# fresh Debian machine, builds, and runs the whole suite with Swift Testing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v pgrep >/dev/null 2>&1 || need+=(procps)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]}; the real-kernel tests will be skipped" >&2
  fi
fi

swift build --build-tests
swift test --skip-build --no-parallel 2>&1 | tee .build/test-output.txt
