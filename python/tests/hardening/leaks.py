"""Leak and reference-count runner: N invocations of one handler, in this process.

    python leaks.py CASE N [--warmup W] [--lib-dir DIR]

CASE is `echo` (libecho.handler on the API Gateway v1 sample event), `fail`
(liberrors.fail: a handler error, `ValidationError`) or `panic` (liberrors.panic: a Rust panic,
`RustPanic`; the panic hook's stderr is sent to /dev/null during the loop); `leaky` is a Python
handler that keeps one reference to the event's sentinel value per call, the runner's own
check that a leak shows. Prints one JSON
object: resident set size after the warm-up and after N more invocations, and the change of the
reference counts that a leak (or a double release) would move:

- `sentinel_key`, `sentinel_value`, `sentinel_list`: objects of the event made at run time
  (neither interned nor immortal), so their counts are exact on every version;
- `cached_key`: a key object of a response, held by pylambda's key cache;
- `None`, `True`: shared singletons (immortal from CPython 3.12 on: reported, not meaningful;
  before that the measuring code itself moves them by up to 2 as the interpreter warms up, as
  a run with N=0 shows, while a per-invocation leak would move them by N);
- `total`: `sys.gettotalrefcount()`, the sum of all counts, on a debug interpreter only.

Standalone (no pytest, no awslambdaric needed), so that a debug interpreter in a chroot
(scripts/hardening/debug-python.sh) can run it; test_hardening_leaks.py and
scripts/hardening/leaks.sh call it.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EVENT = REPO / "python" / "pylambda" / "events" / "apigw-v1.json"


class Context:
    """The attributes pylambda reads from awslambdaric's LambdaContext, as plain values (the
    debug interpreter's chroot has no awslambdaric)."""

    aws_request_id = "8f507cfc-3c2c-4c1b-9e8a-51b1e3f5e5a1"
    function_name = "leaks"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:leaks"
    memory_limit_in_mb = "128"
    log_group_name = "/aws/lambda/leaks"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"
    identity = None
    client_context = None
    tenant_id = None

    def get_remaining_time_in_millis(self):
        return 30_000


def context():
    try:
        from awslambdaric.lambda_context import LambdaContext
    except ImportError:
        return Context()
    deadline = int(time.time() * 1000) + 3_600_000
    arn = Context.invoked_function_arn
    return LambdaContext(Context.aws_request_id, None, None, deadline, arn, None)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def runtime_str(text: str) -> str:
    """A str made at run time: not interned, not immortal, referenced only where we put it."""
    return "".join([text[:1], text[1:]])


def make_case(case: str, lib_dir: Path):
    sys.path.insert(0, str(lib_dir))
    event = json.loads(EVENT.read_text())
    sentinels = {
        "sentinel_key": runtime_str("pylambda-sentinel-key"),
        "sentinel_value": runtime_str("pylambda-sentinel-value"),
        "sentinel_list": [1, 2, 3],
    }
    event[sentinels["sentinel_key"]] = sentinels["sentinel_value"]
    event["pylambdaList"] = sentinels["sentinel_list"]
    if case == "echo":
        handler = importlib.import_module("libecho").handler
        expected = None
    elif case == "leaky":
        kept = []

        def handler(event, context):
            kept.append(event[sentinels["sentinel_key"]])
            return event

        expected = None
    else:
        errors = importlib.import_module("liberrors")
        handler = getattr(errors, case)
        expected = Exception
    return handler, event, expected, sentinels


def loop(handler, event, ctx, expected, n: int) -> None:
    """The measured loop: nothing in it outlives an iteration unless pylambda leaks it."""
    if expected is None:
        for _ in range(n):
            handler(event, ctx)
    else:
        for _ in range(n):
            try:
                handler(event, ctx)
            except expected:
                pass


def settle() -> None:
    """Collect cyclic garbage until nothing more is freed (finalizers can free more)."""
    while gc.collect():
        pass


def refcounts(sentinels, cached_key) -> dict[str, int]:
    """Reference counts, and the total one first (before this function's own objects)."""
    total = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else 0
    counts = {"total": total}
    counts.update({name: sys.getrefcount(obj) for name, obj in sentinels.items()})
    counts["None"] = sys.getrefcount(None)
    counts["True"] = sys.getrefcount(True)
    if cached_key is not None:
        counts["cached_key"] = sys.getrefcount(cached_key)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["echo", "fail", "panic", "leaky"])
    parser.add_argument("n", type=int)
    parser.add_argument("--warmup", type=int, default=20_000)
    parser.add_argument("--lib-dir", type=Path, default=REPO / "target" / "release")
    parser.add_argument(
        "--rust-backtrace",
        default="",
        help="RUST_BACKTRACE for the run; default unset, as in Lambda's environment (with it "
        "set, Rust's panic hook symbolizes a backtrace per panic: ~70 MB more RSS at the first)",
    )
    args = parser.parse_args()
    # Read by Rust's panic hook at the first panic: set (or unset) before any.
    os.environ.pop("RUST_BACKTRACE", None)
    if args.rust_backtrace:
        os.environ["RUST_BACKTRACE"] = args.rust_backtrace

    handler, event, expected, sentinels = make_case(args.case, args.lib_dir)
    ctx = context()
    cached_key = None
    if args.case == "echo":
        response = handler(event, ctx)
        assert response == event, "echo changed the event"
        cached_key = next(iter(response))
        assert cached_key is not next(iter(event)), "expected a key object made by pylambda"
        del response

    quiet = args.case == "panic"
    saved_stderr = os.dup(2)
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    try:
        # Every local below is bound before the first measurement and holds no shared object,
        # so the only change between `before` and `after` is what the loop leaves behind.
        before, after, rss_before, rss_after, start, seconds = {}, {}, 0, 0, 0.0, 0.0
        # Warm-up, with the measuring code run too (first calls fill caches), twice: the
        # first garbage collections after start-up also settle interpreter-wide state.
        for _ in range(2):
            loop(handler, event, ctx, expected, args.warmup // 2)
            refcounts(sentinels, cached_key), rss_bytes(), time.perf_counter()
            settle()
        rss_before = rss_bytes()
        before.update(refcounts(sentinels, cached_key))
        start = time.perf_counter()
        loop(handler, event, ctx, expected, args.n)
        seconds = time.perf_counter() - start
        settle()
        rss_after = rss_bytes()
        after.update(refcounts(sentinels, cached_key))
    finally:
        if quiet:
            os.dup2(saved_stderr, 2)

    deltas = {name: after[name] - before[name] for name in before}
    if not hasattr(sys, "gettotalrefcount"):
        del deltas["total"], before["total"]
    print(
        json.dumps(
            {
                "case": args.case,
                "python": sys.version.split()[0],
                "debug_build": hasattr(sys, "gettotalrefcount"),
                "immortal_singletons": sys.version_info >= (3, 12),
                "invocations": args.n,
                "rust_backtrace": args.rust_backtrace or None,
                "warmup": args.warmup,
                "seconds": round(seconds, 2),
                "rss_before_kib": rss_before // 1024,
                "rss_after_kib": rss_after // 1024,
                "rss_growth_kib": (rss_after - rss_before) // 1024,
                "refcounts_before": before,
                "refcount_deltas": deltas,
            }
        )
    )


if __name__ == "__main__":
    main()
