#!/usr/bin/env bash
# Builds the DaemonSet's container image offline (docs/deploy.md "The image"):
#
#   scripts/build-image.sh [--deb FILE] [--tag NAME] [--rootfs DIR] [--scratch-path DIR]
#
# The root file system is the Debian package's binary, playbooks and schema (scripts/build-deb.sh,
# run first unless --deb names a built one), the shared libraries the binary needs copied from
# this machine's Debian packages (libc6, libgcc-s1, libstdc++6), /etc/passwd and /etc/group with
# root, /etc/ctfix/playbooks and /tmp. examples/deploy/kubernetes/Containerfile builds the image
# FROM scratch with podman or buildah: no registry is contacted.
#
# --rootfs DIR only writes the root file system into DIR (empty or new) and builds no image, for
# machines without podman or buildah (with /proc mounted in DIR, `chroot DIR /usr/bin/ctfix list`
# runs it).
# --tag defaults to localhost/ctfix:VERSION. Prints the image id (or DIR) on the last line.
# Exit status: 0 built, 1 build failed, 2 bad arguments, 3 no podman or buildah (use --rootfs).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

repo=$(cd "$(dirname "$0")/.." && pwd)
deb=
tag=
rootfs_only=
scratch=$repo/.build-release
while (($#)); do
  case $1 in
    --deb|--tag|--rootfs|--scratch-path)
      if (($# < 2)) || [[ -z $2 ]]; then
        echo "build-image.sh: $1 needs a value" >&2; exit 2
      fi
      case $1 in
        --deb) deb=$2 ;;
        --tag) tag=$2 ;;
        --rootfs) rootfs_only=$2 ;;
        --scratch-path) scratch=$2 ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-image.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -z $deb || -f $deb ]] || { echo "build-image.sh: --deb $deb: no such file" >&2; exit 2; }
if [[ -n $rootfs_only ]]; then
  [[ $rootfs_only == /* ]] || rootfs_only=$PWD/$rootfs_only
  if [[ -e $rootfs_only && -n $(ls -A "$rootfs_only") ]]; then
    echo "build-image.sh: --rootfs $rootfs_only is not empty" >&2; exit 2
  fi
fi
builder=()
if [[ -z $rootfs_only ]]; then
  if command -v podman >/dev/null 2>&1; then builder=(podman build)
  elif command -v buildah >/dev/null 2>&1; then builder=(buildah build)
  else
    echo "build-image.sh: neither podman nor buildah is installed (apt-get install podman), or use --rootfs DIR" >&2; exit 3
  fi
fi
[[ -n $deb ]] && deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

umask 022
work=$(mktemp -d "${TMPDIR:-/tmp}/ctfix-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [[ -z $deb ]]; then
  deb=$(bash "$repo/scripts/build-deb.sh" --output "$work/deb" --scratch-path "$scratch" | tail -n 1)
fi
version=$(dpkg-deb -f "$deb" Version)
tag=${tag:-localhost/ctfix:${version%-*}}

root=$work/context/rootfs
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
# What a container does not use: documentation, man page, completions, units, lintian data.
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/bash-completion" \
  "$root/usr/share/zsh" "$root/usr/share/fish" "$root/usr/share/lintian" "$root/lib"

# The shared libraries, exactly the files the dynamic loader would use here, and the packages
# they come from.
manifest=$root/usr/share/ctfix/image-packages.txt
: > "$work/packages"
for library in $(ldd "$root/usr/bin/ctfix" | grep -o '/[^ ]*'); do
  install -D -m 0755 "$(readlink -f "$library")" "$root$library"
  owner=$(dpkg -S "$(readlink -f "$library")" 2>/dev/null || dpkg -S "$library" 2>/dev/null || true)
  owner=${owner%%:*}
  [[ -n $owner ]] || { echo "build-image.sh: $library belongs to no Debian package" >&2; exit 1; }
  echo "$owner" >> "$work/packages"
done
for owner in $(sort -u "$work/packages"); do
  echo "$owner $(dpkg-query -W -f '${Version}' "$owner")"
done > "$manifest"
chmod 0644 "$manifest"

install -d -m 0755 "$root/etc" "$root/etc/ctfix/playbooks"
install -d -m 1777 "$root/tmp"
# Mount points the container runtime fills (podman creates them too; chroot needs them).
install -d -m 0755 "$root/proc" "$root/sys" "$root/dev"
echo 'root:x:0:0:root:/:/usr/bin/ctfix' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
chmod 0644 "$root/etc/passwd" "$root/etc/group"

if [[ -n $rootfs_only ]]; then
  mkdir -p "$rootfs_only"
  cp -a "$root/." "$rootfs_only/"
  echo "root file system of ctfix $version in $rootfs_only ($(du -sk "$rootfs_only" | cut -f1) KiB; packages: $(tr '\n' ' ' < "$manifest"))"
  echo "$rootfs_only"
  exit 0
fi

cp "$repo/examples/deploy/kubernetes/Containerfile" "$work/context/Containerfile"
"${builder[@]}" --network none --pull=never -t "$tag" -f "$work/context/Containerfile" "$work/context" >&2
id=$("${builder[0]}" images --quiet --no-trunc "$tag" 2>/dev/null | head -n 1 || true)
echo "built image $tag (ctfix $version; packages: $(tr '\n' ' ' < "$manifest"))"
echo "${id:-$tag}"
