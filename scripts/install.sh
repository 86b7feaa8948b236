#!/usr/bin/env bash
# Builds ctfix as a release binary with the Swift standard library and Foundation linked
# statically (it runs on hosts without a Swift toolchain), and installs it with the shipped
# playbooks, the man page, shell completions and the systemd units (docs/deploy.md):
#
#   scripts/install.sh [--prefix DIR] [--systemd-dir DIR] [--destdir DIR] [--scratch-path DIR]
#
#   PREFIX/bin/ctfix
#   PREFIX/libexec/ctfix/ctfix-serve             (`ctfix serve` execs it: the HTTP server lives there)
#   PREFIX/share/ctfix/playbooks/*.yaml          (`ctfix list` finds them next to the binary)
#   PREFIX/share/man/man1/ctfix.1
#   PREFIX/share/bash-completion/completions/ctfix
#   PREFIX/share/zsh/site-functions/_ctfix
#   PREFIX/share/fish/vendor_completions.d/ctfix.fish
#   SYSTEMD_DIR/ctfix-watch.service, ctfix-serve.service   (default PREFIX/lib/systemd/system)
#
# --destdir stages everything under DIR (for packages and container images) while the units
# still name PREFIX/bin/ctfix. The build output stays in --scratch-path (default
# .build-release), so a second install rebuilds only what changed.
# Exit status: 0 installed, 1 build or install failed, 2 bad arguments, 3 the binary still
# needs a shared Swift runtime library.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

prefix=/usr/local
systemd_dir=
destdir=
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$repo/.build-release

while (($#)); do
  case $1 in
    --prefix|--systemd-dir|--destdir|--scratch-path)
      if (($# < 2)) || [[ -z $2 ]]; then
        echo "install.sh: $1 needs a directory" >&2; exit 2
      fi
      case $1 in
        --prefix) prefix=$2 ;;
        --systemd-dir) systemd_dir=$2 ;;
        --destdir) destdir=$2 ;;
        --scratch-path) scratch=$2 ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for name in prefix systemd_dir destdir scratch; do
  value=${!name}
  if [[ -n $value && $value != /* ]]; then
    value=$PWD/$value
    printf -v "$name" '%s' "$value"
  fi
done
prefix=${prefix%/}
systemd_dir=${systemd_dir:-$prefix/lib/systemd/system}

cd "$repo"
# The plain release build: Package.swift's release settings link the Swift runtime and Foundation
# statically and strip the binary (the ldd check below holds the build to that), so what is
# installed is what `swift build -c release` gives anyone.
build=(swift build -c release --scratch-path "$scratch")

echo "building ctfix (release, static Swift runtime) in $scratch"
"${build[@]}" --product ctfix
# `ctfix serve` execs ctfix-serve (the HTTP server is linked only there): PREFIX/libexec/ctfix.
"${build[@]}" --product ctfix-serve
# swift-argument-parser's generate-manual tool, the one its generate-manual plugin runs;
# built directly so it shares this build directory and its flags.
"${build[@]}" --product generate-manual
bin_dir=$("${build[@]}" --show-bin-path)
binary=$bin_dir/ctfix
server=$bin_dir/ctfix-serve

# The point of the static build: nothing from the Swift toolchain is needed at run time.
if command -v ldd >/dev/null 2>&1; then
  for program in "$binary" "$server"; do
    if needed=$(ldd "$program" | grep -E 'lib(swift[A-Za-z_]*|Foundation[A-Za-z]*|dispatch|BlocksRuntime|_FoundationICU|icu[a-z]*)\.so'); then
      echo "install.sh: $program still needs shared Swift runtime libraries:" >&2
      echo "$needed" >&2
      exit 3
    fi
  done
else
  echo "install.sh: warning: ldd not found, cannot check that the Swift runtime is linked statically" >&2
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/ctfix-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/man"
"$bin_dir/generate-manual" "$binary" --output-directory "$stage/man" >/dev/null
# generate-manual copies blank lines between paragraphs of a discussion into the mdoc source,
# which groff warns about ("Empty input line"); .Pp is mdoc's paragraph break.
sed -i 's/^$/.Pp/' "$stage"/man/*.1
for shell in bash zsh fish; do
  "$binary" --generate-completion-script "$shell" > "$stage/completion.$shell"
done
# swift-argument-parser's fish script asks `commandline -tC` (the cursor within the token) for
# custom completions (playbook names), which fish before 3.7 (Debian 12 has 3.6) refuses, so
# names were never offered there; the length of the token up to the cursor is the same number
# in every fish version.
sed -i 's/(__ctfix_tokens -tC)/(string length -- "$(commandline -ct)")/' "$stage/completion.fish"
grep -q 'commandline -ct' "$stage/completion.fish" || { echo "install.sh: the fish completion script changed shape; cannot adapt it to fish 3.6" >&2; exit 1; }

root=${destdir%/}
install -d "$root$prefix/bin" "$root$prefix/libexec/ctfix" "$root$prefix/share/ctfix/playbooks" "$root$prefix/share/man/man1" \
  "$root$prefix/share/bash-completion/completions" "$root$prefix/share/zsh/site-functions" \
  "$root$prefix/share/fish/vendor_completions.d" "$root$systemd_dir"
# Symbols off (about 100 MB → 66 MB); the build directory keeps the unstripped binary.
if command -v strip >/dev/null 2>&1; then
  strip -o "$stage/ctfix" "$binary"
  strip -o "$stage/ctfix-serve" "$server"
else
  cp "$binary" "$stage/ctfix"
  cp "$server" "$stage/ctfix-serve"
fi
install -m 0755 "$stage/ctfix" "$root$prefix/bin/ctfix"
install -m 0755 "$stage/ctfix-serve" "$root$prefix/libexec/ctfix/ctfix-serve"
install -m 0644 playbooks/*.yaml "$root$prefix/share/ctfix/playbooks/"
install -m 0644 "$stage"/man/*.1 "$root$prefix/share/man/man1/"
install -m 0644 "$stage/completion.bash" "$root$prefix/share/bash-completion/completions/ctfix"
install -m 0644 "$stage/completion.zsh" "$root$prefix/share/zsh/site-functions/_ctfix"
install -m 0644 "$stage/completion.fish" "$root$prefix/share/fish/vendor_completions.d/ctfix.fish"
for unit in examples/deploy/systemd/*.service; do
  sed "s#/usr/local/bin/ctfix#$prefix/bin/ctfix#g" "$unit" > "$stage/unit"
  install -m 0644 "$stage/unit" "$root$systemd_dir/$(basename "$unit")"
done

echo "installed ctfix $("$root$prefix/bin/ctfix" --version) into ${root}${prefix}"
echo "  playbooks: $prefix/share/ctfix/playbooks ($(ls playbooks/*.yaml | wc -l))"
echo "  man page:  $prefix/share/man/man1 ($(cd "$stage/man" && ls *.1 | tr '\n' ' '))"
echo "  units:     $systemd_dir (ctfix-watch.service, ctfix-serve.service; systemctl daemon-reload)"
