#!/usr/bin/env bash
# The project's test command (README "Run the tests"): installs what the tests need on a
# fresh Debian machine, builds, and runs the whole suite with Swift Testing.
set -euo pipefail
cd "$(dirname "$0")/.."

# As root, ctfix refuses a playbook whose file or any directory above it is writable by group or
# others, or owned by another user (README "Playbooks: names, paths and trust"). The tests run the
# checkout's playbooks as root, so the checkout must be a trusted place: drop group/other write
# bits inside it (a umask of 002 would leave them), and if a directory above it is untrusted (a
# clone under /tmp, mode 1777), run the suite from a copy under /var/lib/ctfix-ci instead.
if [[ $(id -u) -eq 0 && -z ${CTFIX_TEST_RELOCATED:-} ]]; then
  chmod -R go-w . 2>/dev/null || true
  untrusted=""
  dir=$(dirname "$(pwd -P)")
  while :; do
    mode=$(stat -c %a "$dir"); owner=$(stat -c %u "$dir")
    if (( (8#$mode & 8#022) != 0 )) || [[ $owner != 0 ]]; then untrusted=$dir; break; fi
    [[ $dir == / ]] && break
    dir=$(dirname "$dir")
  done
  if [[ -n $untrusted ]]; then
    copy=/var/lib/ctfix-ci/checkout
    echo "note: $untrusted is writable by group or others (or not root's); as root ctfix would refuse this checkout's playbooks, so the suite runs from a copy in $copy"
    mkdir -p /var/lib/ctfix-ci && chmod 755 /var/lib/ctfix-ci
    rm -rf "$copy" && cp -a . "$copy" && chmod -R go-w "$copy"
    cd "$copy" && CTFIX_TEST_RELOCATED=1 exec bash scripts/test.sh
  fi
fi

need=()
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v pgrep >/dev/null 2>&1 || need+=(procps)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible-core)
command -v ansible-lint >/dev/null 2>&1 || need+=(ansible-lint)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# The package, completion and image tests (PackageTests, ImageTests): dpkg-shlibdeps, lintian,
# the shells whose completions are asked, podman to build and run the image (runc: see ImageTests).
command -v dpkg-shlibdeps >/dev/null 2>&1 || need+=(dpkg-dev)
command -v lintian >/dev/null 2>&1 || need+=(lintian)
command -v readelf >/dev/null 2>&1 || need+=(binutils)
command -v fish >/dev/null 2>&1 || need+=(fish)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]}; the real-kernel tests will be skipped" >&2
  fi
fi

# promtool (from Debian's prometheus package) checks examples/deploy/prometheus. The package is
# unpacked into .build/tools, not installed, so no Prometheus server starts on this machine.
if ! command -v promtool >/dev/null 2>&1 && [[ ! -x .build/tools/prometheus/usr/bin/promtool ]] && command -v apt-get >/dev/null 2>&1; then
  fetch_promtool() { (mkdir -p .build/tools && cd .build/tools && apt-get download -qq prometheus >/dev/null 2>&1 \
    && dpkg-deb -x prometheus_*.deb package && mkdir -p prometheus/usr/bin \
    && mv package/usr/bin/promtool prometheus/usr/bin/ && rm -rf package prometheus_*.deb); }
  fetch_promtool || { [[ $(id -u) -eq 0 ]] && apt-get update -qq >/dev/null && fetch_promtool; } \
    || echo "warning: could not fetch promtool; the Prometheus rule checks will be skipped" >&2
fi

swift build --build-tests
swift test --skip-build --no-parallel 2>&1 | tee .build/test-output.txt
