"""Two builds of one function, side by side through the emulator: is a change faster end to end?

    python bench/e2e/ab.py OLD.zip NEW.zip [--handler libecho.handler] [--event batch-256k]
                           [--invocations 600] [--block 10] [--epochs 6]

Both zips run warm under the real runtime client, interleaved in rounds with the Python echo
(a fresh order each round, on one CPU, as `make bench-e2e` runs them), each with
`functions/timed.py` around its handler, so the garbage collector's share is measured in the
runtime as well. The rounds run in `--epochs` of fresh processes (a process's placement in
memory moves a small event's time by a few percent). Prints each system's median latency
(invoke → response) and busy time (until the runtime is back at `/next`), the collector's mean
time and collections per invocation, and the per-round ratios OLD ÷ NEW of both (median, its
95% confidence interval across epochs, and the rounds' p10–p90).

Example — an engine change, OLD built from the commit before it:

    git worktree add /tmp/old COMMIT
    .venv/bin/python -m pylambda build --manifest-path /tmp/old/examples/echo/Cargo.toml
    .venv/bin/python -m pylambda build -p echo
    .venv/bin/python bench/e2e/ab.py /tmp/old/dist/echo-x86_64.zip dist/echo-x86_64.zip
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import bench
import breakdown
import measure
from events import load_events
from systems import BY_KEY, System


def main(argv: list[str] | None = None) -> int:
    events = load_events()  # builds the 256 KB batch: once
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--handler", default="libecho.handler")
    parser.add_argument("--event", default="batch-256k", choices=list(events))
    parser.add_argument("--invocations", type=int, default=600)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument(
        "--epochs", type=int, default=6, help="fresh processes this many times (see measure.warm)"
    )
    parser.add_argument("--cpu", default="idlest", help="a CPU number, 'idlest' or 'none'")
    args = parser.parse_args(argv)

    cpu = bench.pin(args.cpu)
    # `System.artifact` is DIST / zip_name, which an absolute path replaces.
    systems = [
        System("old", f"OLD {args.old}", str(args.old.resolve()), args.handler),
        System("new", f"NEW {args.new}", str(args.new.resolve()), args.handler),
        BY_KEY["python"],
    ]
    event = events[args.event]
    series, dumps = breakdown.run_timed(
        systems, event, args.invocations, args.block, 20, lambda message: None, args.epochs
    )
    print(f"{args.invocations} invocations each of {args.event} in {args.epochs} epochs; CPU {cpu}")
    for system in systems:
        data, dump = series[system.key], dumps[system.key]
        latency, busy = data["duration_us"], data["round_trip_us"]
        print(
            f"  {system.key:6} latency median {statistics.median(latency):9.0f} µs,"
            f" p90 {measure.percentile(latency, 0.9):9.0f}; busy time"
            f" {statistics.median(busy):9.0f} µs;"
            f" handler call {statistics.median(dump['handler']):8.1f} µs;"
            f" collector {statistics.fmean(dump['gc']):6.0f} µs and"
            f" {statistics.fmean(dump['collections']):5.1f} collections per invocation"
        )
    for field, what in (("duration_us", "latency"), ("round_trip_us", "busy time")):
        for other in ("old", "python"):
            r = measure.per_round_ratios(series[other], series["new"], field)
            print(
                f"  {what}: {other} ÷ new per round: {r['median']:.3f} (95% CI "
                f"{r['ci_low']:.3f}–{r['ci_high']:.3f}; rounds p10–p90 "
                f"{r['p10']:.3f}–{r['p90']:.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
