#!/usr/bin/env bash
# Fuzzes one target (or all, one after the other) for N minutes each with libFuzzer
# (docs/fuzzing.md). Usage:
#
#   scripts/fuzz.sh TARGET|all [MINUTES] [libFuzzer flags…]
#
# TARGET: playbook, expression, logline or webhook. MINUTES defaults to 10. Builds
# ctfix-fuzz with -sanitize=fuzzer in .build-fuzz (the ordinary .build is left alone), seeds
# from Fuzz/Corpus/TARGET (read only), writes new corpus entries to .build-fuzz/corpus/TARGET
# and crash, timeout and out-of-memory inputs to Fuzz/Crashes/TARGET. A hang (one input longer
# than FUZZ_TIMEOUT seconds, default 10) and memory over FUZZ_RSS_MB (default 2048) are findings.
# libFuzzer runs in fork mode, one job at a time, so a campaign goes on after a finding.
# Prints, per target: stat::number_of_executed_units, coverage and the number of findings.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(playbook expression logline webhook)
target=${1:-}
minutes=${2:-10}
shift $(( $# < 2 ? $# : 2 ))
if [[ $target == all ]]; then
  selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $target "* ]]; then
  selected=("$target")
else
  echo "usage: scripts/fuzz.sh ${targets[*]// /|}|all [MINUTES] [libFuzzer flags...]" >&2
  exit 2
fi
[[ $minutes =~ ^[0-9]+$ && $minutes -gt 0 ]] || { echo "scripts/fuzz.sh: MINUTES must be a positive whole number" >&2; exit 2; }

scratch=.build-fuzz
echo "building ctfix-fuzz with -sanitize=fuzzer in $scratch (the first build takes several minutes)"
swift build --product ctfix-fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer \
  -Xlinker --export-dynamic-symbol=LLVMFuzzerRunDriver 2>&1 | grep -E "error|warning: unre|Compiling ctfix|Build" || true
binary="$scratch/debug/ctfix-fuzz"
[[ -x $binary ]] || { echo "scripts/fuzz.sh: the fuzz build failed" >&2; exit 1; }

summary=()
for name in "${selected[@]}"; do
  corpus="$scratch/corpus/$name"
  crashes="Fuzz/Crashes/$name"
  log="$scratch/fuzz-$name.log"
  mkdir -p "$corpus" "$crashes"
  before=$(find "$crashes" -type f | wc -l)
  touch "$log.start"
  echo "fuzzing $name for $minutes minute(s): log $log, findings in $crashes/"
  # SWIFT_BACKTRACE=enable=no: Swift's backtracer would otherwise catch the crash signal
  # first and libFuzzer would write no crash file.
  SWIFT_BACKTRACE=enable=no "$binary" "$name" \
    -max_total_time=$((minutes * 60)) -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$@" "$corpus" "Fuzz/Corpus/$name" >"$log" 2>&1 || true
  # Fork mode's progress lines: "#EXECS: cov: C ft: F corp: N exec/s: … oom/timeout/crash: O/T/K time: …".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+) .*/\1/p' <<<"$last")
  otk=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/p' <<<"$last")
  after=$(find "$crashes" -type f | wc -l)
  echo "== $name: stat::number_of_executed_units: ${execs:-0}  cov: ${cov:-?}  corpus: ${corp:-?}  oom/timeout/crash: ${otk:-0/0/0}  new finding files: $((after - before)) (in $crashes/)"
  # One line per distinct failure: replay each new finding (fork mode keeps no child output).
  if (( after > before )); then
    find "$crashes" -type f -newer "$log.start" | head -200 | while read -r finding; do
      out=$(SWIFT_BACKTRACE=enable=no timeout 60 "$binary" "$name" -runs=1 "$finding" 2>&1 || true)
      sig=$(grep -m1 -E '^  ! |Fatal error:' <<<"$out" | sed -E 's/"[^"]*"(…\([0-9]+ scalars\))?/"…"/g; s/[-+]?[0-9][0-9.e+]*/N/g' || true)
      if [[ -z $sig ]]; then
        kind=$(grep -m1 -oE 'ERROR: libFuzzer: [a-z -]+' <<<"$out" || echo "killed without a libFuzzer report (stack overflow?)")
        frame=$(grep -m1 -oE ' in \$s9CtfixCore[A-Za-z0-9_]+' <<<"$out" | sed 's/^ in //' || true)
        sig="$kind${frame:+ at $(swift demangle --simplified "$frame" 2>/dev/null | sed -E 's/ ---> .*//' || echo "$frame")}"
      fi
      echo "$sig"
    done | sort | uniq -c | sort -rn | head -15 | sed 's/^/   /'
  fi
  summary+=("$name: executed units ${execs:-0}, crashes (oom/timeout/crash) ${otk:-0/0/0}, new finding files $((after - before))")
done
echo "== summary"
printf '   %s\n' "${summary[@]}"
