#!/usr/bin/env bash
# Builds the Debian package of ctfix with dpkg-deb, offline (docs/deploy.md "Install the package"):
#
#   scripts/build-deb.sh [--output DIR] [--scratch-path DIR] [--revision N]
#
# The binary is scripts/install.sh's static-stdlib, stripped release build (same --scratch-path,
# default .build-release, so a build shared with the install test is not repeated). Contents:
#
#   /usr/bin/ctfix                                   static Swift runtime, stripped
#   /usr/libexec/ctfix/ctfix-serve                   the same, with the HTTP server (`ctfix serve` execs it)
#   /usr/share/ctfix/playbooks/*.yaml                the shipped playbooks (`ctfix list`: installed)
#   /etc/ctfix/playbooks/                            local playbooks, searched first (empty; yours)
#   /usr/share/ctfix/playbook.schema.json            the playbook JSON Schema
#   /usr/share/man/man1/ctfix.1.gz
#   /usr/share/bash-completion/completions/ctfix, /usr/share/zsh/vendor-completions/_ctfix,
#   /usr/share/fish/vendor_completions.d/ctfix.fish
#   /lib/systemd/system/ctfix-watch.service, ctfix-serve.service   (not enabled or started)
#   /usr/share/doc/ctfix/                            copyright, changelog.Debian.gz, README, docs
#   /usr/share/lintian/overrides/ctfix               the lintian tags that stay, each justified
#
# Depends is computed from the binary by dpkg-shlibdeps (libc6, libgcc-s1, libstdc++6: the Swift
# runtime and Foundation are linked in). Prints the path of the .deb on the last line.
# Exit status: 0 built, 1 build failed, 2 bad arguments, 3 a tool is missing (dpkg-deb,
# dpkg-shlibdeps, fakeroot is not needed: dpkg-deb --root-owner-group).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

repo=$(cd "$(dirname "$0")/.." && pwd)
output=$repo/.build-deb
scratch=$repo/.build-release
revision=1
while (($#)); do
  case $1 in
    --output|--scratch-path|--revision)
      if (($# < 2)) || [[ -z $2 ]]; then
        echo "build-deb.sh: $1 needs a value" >&2; exit 2
      fi
      case $1 in
        --output) output=$2 ;;
        --scratch-path) scratch=$2 ;;
        --revision) revision=$2 ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-deb.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $revision =~ ^[0-9]+$ ]] || { echo "build-deb.sh: --revision must be a number, found '$revision'" >&2; exit 2; }
[[ $output == /* ]] || output=$PWD/$output
[[ $scratch == /* ]] || scratch=$PWD/$scratch
for tool in dpkg-deb dpkg-shlibdeps dpkg-architecture; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-deb.sh: $tool not found (apt-get install dpkg-dev)" >&2; exit 3; }
done

cd "$repo"
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/CtfixCore/Commands/CtfixVersion.swift)
[[ -n $version ]] || { echo "build-deb.sh: no version in CtfixVersion.swift" >&2; exit 1; }
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
package=ctfix
full_version=$version-$revision
maintainer=${DEBFULLNAME:-ctfix maintainers}" <${DEBEMAIL:-maintainers@users.noreply.r-seed-c321672b.example}>"

work=$(mktemp -d "${TMPDIR:-/tmp}/ctfix-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
# Files in a .deb carry their modes from here; a umask of 002 would make them group-writable
# (and ctfix, as root, refuses playbooks others can write).
umask 022

bash scripts/install.sh --prefix /usr --systemd-dir /lib/systemd/system --destdir "$root" --scratch-path "$scratch"

# Debian's places: zsh completions in vendor-completions, man pages compressed.
install -d "$root/usr/share/zsh/vendor-completions"
mv "$root/usr/share/zsh/site-functions/_ctfix" "$root/usr/share/zsh/vendor-completions/_ctfix"
rmdir "$root/usr/share/zsh/site-functions"
gzip -9n "$root"/usr/share/man/man1/*.1
# A completion script is sourced, not run: no #! line. As dh_strip does, no .comment section
# (compiler version strings) in the binary.
sed -i '1{/^#!/d}' "$root/usr/share/bash-completion/completions/ctfix"
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/ctfix" "$root/usr/libexec/ctfix/ctfix-serve"

install -d -m 0755 "$root/etc/ctfix/playbooks"
install -m 0644 docs/playbook.schema.json "$root/usr/share/ctfix/playbook.schema.json"

doc=$root/usr/share/doc/$package
install -d "$doc/docs" "$doc/examples"
install -m 0644 README.md "$doc/README.md"
install -m 0644 docs/*.md "$doc/docs/"
cp -R examples/deploy "$doc/examples/deploy"
chmod -R u=rwX,go=rX "$doc/examples"
# As dh_compress does: documentation over 4 KiB compressed (examples stay as they are: they are copied and run).
find "$doc" -path "$doc/examples" -prune -o -type f -size +4k -name '*.md' -print0 | xargs -0 -r gzip -9n
install -m 0644 scripts/debian/copyright "$doc/copyright"
date=$(git log -1 --format=%cD 2>/dev/null || date -R)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "$package ($full_version) unstable; urgency=medium"
  echo
  echo "  * Built from the ctfix repository, commit $commit, by scripts/build-deb.sh."
  echo "    Changes: the repository's history (git log)."
  echo
  echo " -- $maintainer  $date"
} > "$work/changelog.Debian"
gzip -9n -c "$work/changelog.Debian" > "$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"
install -d "$root/usr/share/lintian/overrides"
install -m 0644 scripts/debian/lintian-overrides "$root/usr/share/lintian/overrides/$package"

# Dependencies of the binary, as dpkg-shlibdeps finds them (it wants a debian/control).
mkdir -p "$work/src/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" > "$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O "$root/usr/bin/ctfix" "$root/usr/libexec/ctfix/ctfix-serve" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ -n $depends ]] || { echo "build-deb.sh: dpkg-shlibdeps found no dependencies for /usr/bin/ctfix" >&2; exit 1; }
# Packed relative relocations (Package.swift, where the builder's glibc is 2.36 or later) need
# the loader's DT_RELR support, a symbol version (GLIBC_ABI_DT_RELR, glibc 2.36) that Debian 12's
# libc6 symbols file does not list, so dpkg-shlibdeps says 2.35: a host with 2.35 would install
# a binary that cannot start. Raise the bound to what the binary really needs.
if readelf -V "$root/usr/bin/ctfix" 2>/dev/null | grep -q 'GLIBC_ABI_DT_RELR'; then
  depends=$(sed -E 's/libc6 \(>= 2\.(3[0-5]|[0-2][0-9]?)\)/libc6 (>= 2.36)/' <<<"$depends")
  [[ $depends == *libc6* ]] || depends="libc6 (>= 2.36), $depends"
fi

install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
  install -m 0755 "scripts/debian/$script" "$root/DEBIAN/$script"
done
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: $package
Version: $full_version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Section: admin
Priority: optional
Description: remediation playbooks for Linux hosts: netfilter conntrack first
 ctfix runs playbooks that detect a problem on the host (kernel-log patterns
 such as "nf_conntrack: table full, dropping packet", procfs and sysfs values
 and ratios, the kernel's drop counters) and hold the actions that fix it
 (raise nf_conntrack_max, shorten timeouts, free memory). It shows the
 evidence and the exact plan before changing anything, asks, verifies,
 persists across reboots, rolls back on request and audits every step to a
 hash-chained log. Commands: run, check (a Nagios plugin), watch (unattended,
 systemd units included, not enabled), serve (Alertmanager webhooks),
 snapshot, rollback, audit.
 .
 Shipped playbooks are in /usr/share/ctfix/playbooks; local ones go in
 /etc/ctfix/playbooks, which is searched first.
EOF
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's#^\./##' | LC_ALL=C sort | xargs -d '\n' md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

mkdir -p "$output"
deb=$output/${package}_${full_version}_${arch}.deb
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s) \
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "built $package $full_version ($arch), $(du -k "$deb" | cut -f1) KiB, installed size $installed_size KiB, Depends: $depends"
echo "$deb"
