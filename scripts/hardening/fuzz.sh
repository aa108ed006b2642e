#!/usr/bin/env bash
# Coverage-guided fuzzing of the conversion engine with libFuzzer, on stable Rust.
#
#   scripts/hardening/fuzz.sh [SECONDS]      replay fuzz/regressions/, then fuzz for SECONDS
#                                            (default 600); 0 = replay only
#
# The harness (fuzz/src/lib.rs) embeds CPython and checks the engine's properties on every
# input. Coverage instrumentation is LLVM's SanitizerCoverage pass, the one cargo-fuzz enables,
# requested with stable flags only (cargo-fuzz itself needs nightly for its `-Z` flags).
# `--target` keeps the instrumentation off build scripts and proc macros, which have no
# libFuzzer to link against. The working corpus (fuzz/corpus) and crash artifacts
# (fuzz/artifacts) are git-ignored; a crash worth keeping is copied into fuzz/regressions/,
# which every run replays first. Prints libFuzzer's final statistics (executions, corpus,
# coverage) for docs/guarantees.md.
set -euo pipefail

seconds=${1:-600}
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$repo"
export PYTHON_SYS_EXECUTABLE=${PYTHON_SYS_EXECUTABLE:-$repo/.venv/bin/python}
target=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cdebug-assertions -Coverflow-checks"
cargo build --quiet --release --manifest-path fuzz/Cargo.toml --target "$target"
bin=fuzz/target/$target/release/convert

shopt -s nullglob
regressions=()
for f in fuzz/regressions/*; do [[ $f == *.md ]] || regressions+=("$f"); done
if [ ${#regressions[@]} -gt 0 ]; then
  echo "fuzz.sh: replaying ${#regressions[@]} regression inputs" >&2
  "$bin" "${regressions[@]}" 2>&1 | tail -1
fi
[ "$seconds" -gt 0 ] || exit 0

mkdir -p fuzz/corpus fuzz/artifacts
echo "fuzz.sh: fuzzing for $seconds s (corpus fuzz/corpus, crashes in fuzz/artifacts)" >&2
log=fuzz/artifacts/last-run.log
set +e
"$bin" fuzz/corpus -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 >"$log" 2>&1
status=$?
set -e
grep -E '^#[0-9]+ +(DONE|INITED)|^stat::|^Done ' "$log" >&2 || true
if [ $status -ne 0 ]; then
  grep -E 'panicked at|^thread|SUMMARY|Test unit written' "$log" >&2 || true
  echo "fuzz.sh: FAILED (exit $status); full log: $log" >&2
  exit $status
fi
echo "fuzz.sh: no crash in $seconds s" >&2
