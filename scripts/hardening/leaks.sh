#!/usr/bin/env bash
# Leak and reference-count runs (issue 8, item 3): 1,000,000 invocations each of echo (API
# Gateway v1 event), errors.fail and errors.panic, in-process, first under the project's
# CPython 3.11 (None/True are mortal there, so their counts are meaningful), then under
# CPython 3.15's and 3.14's debug builds (sys.gettotalrefcount(): every object's count at
# once), from the chroot scripts/hardening/debug-python.sh makes (skipped, and said so, if it
# cannot be made).
#
#   scripts/hardening/leaks.sh [N]        N defaults to 1000000; figures in
#                                         target/hardening/leaks.jsonl
#
# Fails if any run grows RSS by 1 MB or more, or changes a count it must not (the same
# criteria as python/tests/test_hardening_leaks.py, which runs 20,000 in `make test`).
# RUST_BACKTRACE is unset for the judged runs, as in Lambda's environment; one panic run with
# RUST_BACKTRACE=1 is recorded beside them (docs/guarantees.md says why).
set -euo pipefail

n=${1:-1000000}
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$repo"
out=target/hardening
mkdir -p "$out"
: >"$out/leaks.jsonl"
cargo build --quiet --release --workspace --lib

run() {
  local python=$1 kind=$2
  shift 2
  "$python" python/tests/hardening/leaks.py "$kind" "$n" --warmup 20000 "$@" | tee -a "$out/leaks.jsonl"
}

for kind in echo fail panic; do run .venv/bin/python "$kind"; done
# For the record, not judged: panics with RUST_BACKTRACE=1, where Rust's own panic hook
# symbolizes a backtrace per panic (the runs above have it unset, as Lambda does).
run .venv/bin/python panic --rust-backtrace 1
if debugs=$(scripts/hardening/debug-python.sh); then
  for debug in $debugs; do
    for kind in echo fail panic; do run "$debug" "$kind"; done
  done
else
  echo "leaks.sh: no debug interpreter (see scripts/hardening/debug-python.sh); skipped" >&2
fi

.venv/bin/python - "$out/leaks.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
bad = []
print(f"{'python':10} {'case':6} {'invocations':>11} {'s':>6} {'RSS growth KiB':>14}  refcount deltas")
for r in rows:
    d = r["refcount_deltas"]
    if r.get("rust_backtrace"):
        print(f"{'':10} {'panic, RUST_BACKTRACE=1 (not judged)':<38} RSS {r['rss_before_kib']} -> "
              f"{r['rss_after_kib']} KiB, growth {r['rss_growth_kib']} KiB")
        continue
    print(f"{r['python'] + ('d' if r['debug_build'] else ''):10} {r['case']:6} {r['invocations']:>11,} "
          f"{r['seconds']:>6} {r['rss_growth_kib']:>14}  {d}")
    exact = [k for k in ("sentinel_key", "sentinel_value", "sentinel_list", "cached_key") if d.get(k, 0)]
    if r["rss_growth_kib"] >= 1024 or exact:
        bad.append(r)
    if not r["immortal_singletons"] and (abs(d["None"]) > 8 or abs(d["True"]) > 8):
        bad.append(r)
    if r["debug_build"] and abs(d["total"]) > 64:
        bad.append(r)
sys.exit(f"leaks.sh: FAILED: {bad}" if bad else 0)
PY
