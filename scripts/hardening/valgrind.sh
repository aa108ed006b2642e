#!/usr/bin/env bash
# The integration tests once under valgrind memcheck (issue 8, item 6).
#
#   scripts/hardening/valgrind.sh          (about 15-25 minutes on 2 cores)
#
# Runs, each under memcheck with CPython's allocator switched to malloc (PYTHONMALLOC=malloc:
# otherwise pymalloc's arenas hide every Python object from valgrind) and valgrind's CPython
# suppressions (/usr/lib/valgrind/python3.supp, Debian's copy of Misc/valgrind-python.supp):
#   1. the Rust integration tests (tests/embedded.rs: the engine inside an embedded CPython),
#      built with glibc's malloc, which memcheck tracks (see below);
#   2. the pytest suites that call the built modules in-process as the runtime does
#      (test_bridge, test_conversions, test_hardening_subclasses, test_hardening_properties
#      with 200 examples each, test_hardening_leaks' runner for 2,000 invocations per case);
#   3. the fuzz target over its regression inputs and up to 400 corpus inputs, if built
#      (scripts/hardening/fuzz.sh): the hostile shapes, checked for memory errors, which
#      stable Rust's libFuzzer build (no AddressSanitizer) cannot see by itself.
# Logs go to target/hardening/valgrind/; hardening/valgrind_summary.py counts the errors and
# fails the script if any has a frame in the project's code (its .so files, test binaries or
# `pylambda` symbols). Errors wholly inside CPython or the C library are counted, not failed.
# The example modules are the shipped build, with mimalloc: memcheck checks every Python object
# they touch (PYTHONMALLOC=malloc) but not the inside of their Rust heap; steps 1 and 3 (glibc
# malloc) cover the engine's Rust heap.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$repo"
py=$repo/.venv/bin/python
export PYTHON_SYS_EXECUTABLE=${PYTHON_SYS_EXECUTABLE:-$py}
out=$repo/target/hardening/valgrind
rm -rf "$out" && mkdir -p "$out"
supp=/usr/lib/valgrind/python3.supp
[ -f "$supp" ] || { echo "valgrind.sh: $supp missing (Debian's valgrind package ships it)" >&2; exit 1; }
# --track-origins: an uninitialised value is judged by where it was made (valgrind_summary.py).
vg=(valgrind --tool=memcheck --num-callers=40 --track-origins=yes --suppressions="$supp"
    --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
    --error-exitcode=0 --trace-children=no)
export PYTHONMALLOC=malloc

echo "valgrind.sh: building the examples and the embedded test binary" >&2
cargo build --quiet --release --workspace --lib
# Without default features: the crate's `mimalloc` feature (default) would put the Rust heap
# inside mimalloc's own pages, where memcheck sees no allocations; glibc's malloc it sees.
test_bin=$(cargo test --quiet -p pylambda --no-default-features --test embedded --no-run \
  --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$test_bin" ] || { echo "valgrind.sh: no embedded test binary" >&2; exit 1; }

start=$(date +%s)
echo "valgrind.sh: 1/3 tests/embedded.rs" >&2
"${vg[@]}" --log-file="$out/embedded-%p.log" "$test_bin" --test-threads=1 -q

echo "valgrind.sh: 2/3 pytest suites in-process" >&2
# A test that fails here (say, one that starts a function process through the emulator and
# runs out of time at valgrind's speed) is reported, not fatal: this run is about memory
# errors, and `make test` runs every test at full speed.
(cd python && PYLAMBDA_PROPERTY_EXAMPLES=200 "${vg[@]}" --log-file="$out/pytest-%p.log" \
  "$py" -m pytest -q -rf -p no:cacheprovider tests/test_bridge.py tests/test_conversions.py \
  tests/test_hardening_subclasses.py tests/test_hardening_properties.py) \
  || echo "valgrind.sh: some tests failed under valgrind (listed above); memory errors are judged below" >&2
for kind in echo fail panic; do
  "${vg[@]}" --log-file="$out/leaks-$kind-%p.log" \
    "$py" python/tests/hardening/leaks.py "$kind" 2000 --warmup 200 >/dev/null
done

target=$(rustc -vV | sed -n 's/^host: //p')
fuzz_bin=fuzz/target/$target/release/convert
if [ -x "$fuzz_bin" ]; then
  echo "valgrind.sh: 3/3 fuzz regressions and corpus" >&2
  shopt -s nullglob
  inputs=()
  for f in fuzz/regressions/*; do [[ $f == *.md ]] || inputs+=("$f"); done
  corpus=(fuzz/corpus/*)
  inputs+=("${corpus[@]:0:400}")
  # Without the Box<RawValue> property: with no simplejson in the harness, it goes through
  # json.loads, and CPython 3.11's PyLong_FromString leaves the digit of a parsed 0 undefined;
  # memcheck then reports every later reader of that int, some reports without the origin
  # that would show it is CPython's. That route is json.loads' own code; the fuzzer checks it.
  PYLAMBDA_FUZZ_NO_RAW=1 "${vg[@]}" --log-file="$out/fuzz-%p.log" "$fuzz_bin" "${inputs[@]}" >/dev/null 2>&1
else
  echo "valgrind.sh: 3/3 skipped: run scripts/hardening/fuzz.sh first to build the fuzz target" >&2
fi

echo "valgrind.sh: done in $(( $(date +%s) - start )) s; logs in $out" >&2
"$py" python/tests/hardening/valgrind_summary.py "$out"/*.log
