#!/usr/bin/env bash
# Regenerates Benchmarks/startup-order/order.txt: the functions a dry-run executes, in the order
# valgrind's callgrind first meets them, for the release link's --symbol-ordering-file
# (Package.swift). lld puts them first in .text, so start-up touches a few contiguous
# megabytes of code instead of 64 KiB windows all over a 25 MB text segment (the kernel maps
# file pages around every fault): peak RSS of a dry-run −5.7 MiB (docs/benchmarks.md).
# Names that no longer exist are skipped by the linker, so a stale list costs only RSS; run this
# after large changes to what a dry-run executes.
#
#   Benchmarks/startup-order/generate.sh      (needs valgrind; builds an unstripped release
#                                              binary in .build-order, about as long as a
#                                              release build)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
command -v valgrind >/dev/null || { echo "generate.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
# SCRATCH: the build directory (default .build-order; .build reuses the main build, relinking
# it unstripped: rebuild the release binary afterwards).
scratch=${SCRATCH:-.build-order}
CTFIX_UNSTRIPPED=1 swift build -c release --scratch-path "$scratch" --product ctfix
binary=$scratch/release/ctfix
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind cannot read the toolchain's DWARF; the symbol table is enough.
objcopy --strip-debug "$binary" "$work/ctfix"
for run in "table-full ubuntu-table-full" "alloc-failure centos6-alloc-failure" "unload-conntrack centos5-ip-conntrack"; do
  set -- $run
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$1.out" \
    "$work/ctfix" run "playbooks/$1.yaml" --root "examples/hosts/$2" --dry-run --audit-log "$work/audit.jsonl" >/dev/null 2>&1
done
# And a watch's start (its idle peak RSS is measured too): one pass over a copy of a host.
cp -a examples/hosts/ubuntu-table-full "$work/host"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/zz-watch.out" \
  "$work/ctfix" watch playbooks/table-full.yaml --root "$work/host" --log /var/log/kern.log --once --dry-run >/dev/null 2>&1 || true
# Callgrind names each function once per file ("fn=(id) name"; later uses are "(id)");
# keep the binary's own functions, first use first, without the recursion suffix ('2).
python3 - "$work" > Benchmarks/startup-order/order.txt <<'PY'
import glob, re, sys
seen, names = set(), []
for path in sorted(glob.glob(sys.argv[1] + "/*.out")):
    objects, functions, current = {}, {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3): objects[m.group(2)] = m.group(3)
            if m.group(1) == "ob": current = objects.get(m.group(2))
            continue
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3): functions[m.group(2)] = (m.group(3), current)
            if m.group(1) == "fn":
                name, obj = functions[m.group(2)]
                name = re.sub(r"'\d+$", "", name)
                if obj and obj.endswith("/ctfix") and not name.startswith("0x") and name not in seen:
                    seen.add(name); names.append(name)
print("\n".join(names))
PY
echo "$(wc -l < Benchmarks/startup-order/order.txt) functions in Benchmarks/startup-order/order.txt"
