#!/usr/bin/env bash
# `make fuzz`: seeds the corpora, builds the targets, runs each for FUZZ_SECONDS (default 600)
# at the lowest priority, FUZZ_JOBS targets at a time (default 1), and prints a summary:
# executions, coverage, corpus size, crashes/timeouts. Crashing inputs land in
# fuzz/artifacts/<target>/; turn each into a file under
# crates/engine/tests/data/fuzz-regressions/<target>/ (tests/fuzz_regressions.rs replays them).
#
#   FUZZ_TARGETS="jsonata share" FUZZ_SECONDS=60 make fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
ALL_TARGETS="definition jsonpath intrinsics jsonata mocks execution share"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
SECONDS_EACH=${FUZZ_SECONDS:-600}
JOBS=${FUZZ_JOBS:-1}
export RUSTC_BOOTSTRAP=1

bash scripts/install-fuzz-tools.sh
python3 scripts/fuzz-seeds.py fuzz/corpus "${CONFORMANCE_DIR:-}"
# No sanitizer: the engine is safe Rust, so AddressSanitizer finds nothing more and would make
# every run several times slower (and its larger frames overflow the stack at depths the real
# builds handle). cargo fuzz keeps debug assertions, so arithmetic overflow panics.
(cd fuzz && nice -n 19 cargo fuzz build -s none)
mkdir -p fuzz/logs

# The dictionary of keywords each target's mutations may insert (fuzz/dicts/).
dict_for() {
  case $1 in
    definition | execution | mocks) echo asl ;;
    jsonata | jsonpath | intrinsics) echo "$1" ;;
    *) echo "" ;;
  esac
}

run_one() {
  local target=$1
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  local dict=()
  if [ -n "$(dict_for "$target")" ]; then
    dict=(-dict="dicts/$(dict_for "$target").dict")
  fi
  # fork mode with ignore_*: a crash or timeout is saved and the run goes on to its end.
  (cd fuzz && nice -n 19 cargo fuzz run -s none "$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -print_final_stats=1 "${dict[@]}") >"fuzz/logs/$target.log" 2>&1 || true
}

running=0
for target in $TARGETS; do
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

printf '\n%-12s %8s %12s %8s %8s %s\n' target seconds executions cov corpus "crash/timeout/oom artifacts"
did_not_run=""
for target in $TARGETS; do
  log="fuzz/logs/$target.log"
  # fork mode's status lines: "#<execs>: cov: <n> ft: <n> corp: <n> exec/s: <n> oom/timeout/crash: a/b/c time: <s>s ..."
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  execs=$(sed -nE 's/^#([0-9]+): .*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+) .*/\1/p' <<<"$last")
  time=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
  artifacts=$(find "fuzz/artifacts/$target" -type f 2>/dev/null | wc -l)
  printf '%-12s %8s %12s %8s %8s %s\n' "$target" "${time:-?}" "${execs:-?}" "${cov:-?}" "${corp:-?}" "$artifacts"
  # No status line at all: the target did not build or start (its log says why).
  [ -n "$last" ] || did_not_run="$did_not_run $target"
done
echo "logs: fuzz/logs/<target>.log; crashing inputs: fuzz/artifacts/<target>/"
if [ -n "$did_not_run" ]; then
  echo "fuzz: did not run:$did_not_run (see their logs)" >&2
  exit 1
fi
