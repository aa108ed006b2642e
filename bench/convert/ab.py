"""Two builds of the engine's routes side by side: is a change to the engine faster?

    python bench/convert/ab.py OLD.so NEW.so [--events sqs-10,apigw-v1] [--routes value,value_in]
                               [--rounds 41]

OLD.so and NEW.so are two builds of `libpylambda_routes` (bench/convert/pylambda_routes), each
imported under its own name from a copy, so both live in one process. Every route runs on
every event through both builds, interleaved in rounds in a fresh random order (as
`make bench-convert` runs its routes); prints each build's median µs per call and the
per-round ratio NEW ÷ OLD (median, 95% confidence interval, p10–p90): below 1, NEW is faster.
An A/A run (one build as both, apigw-v1 and sqs-10, `value` and `value_in`, 41 rounds) gave
0.969–0.995, every interval containing 1: differences of a few percent need the interval.

Example — the cost of a change, OLD built from the commit before it:

    git worktree add /tmp/old COMMIT
    PYTHON_SYS_EXECUTABLE=$PWD/.venv/bin/python cargo build --release \\
        --manifest-path /tmp/old/bench/convert/Cargo.toml -p pylambda_routes
    make bench-convert-build
    .venv/bin/python bench/convert/ab.py /tmp/old/bench/convert/target/release/libpylambda_routes.so \\
        bench/convert/target/release/libpylambda_routes.so --events sqs-10 --routes value,value_in
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import measure
from bench import load_corpus
from routes import Route

#: The module name every build's `PyInit_` symbol is made for.
MODULE = "libpylambda_routes"


def load_build(path: Path, name: str) -> object:
    """Imports the cdylib at `path` from a copy in a directory of its own, named as the module
    it defines: two builds load side by side (neither is put in `sys.modules`). The copy is
    removed once loaded (the loader keeps its mapping)."""
    directory = Path(tempfile.mkdtemp(prefix=f"ab-{name}-"))
    copy = directory / f"{MODULE}.so"
    shutil.copy(path, copy)
    try:
        spec = importlib.util.spec_from_file_location(MODULE, copy)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        shutil.rmtree(directory)
    return module


def handler_call(module: object, name: str):
    """`event -> response` through the handler `name` of a build (no context)."""
    handler = getattr(module, name)
    return lambda event: handler(event, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--events", default="apigw-v1,sqs-10,dynamodb-streams")
    parser.add_argument("--routes", default="value", help="handlers of libpylambda_routes")
    parser.add_argument("--rounds", type=int, default=41)
    args = parser.parse_args(argv)

    builds = {"old": load_build(args.old, "old"), "new": load_build(args.new, "new")}
    events = load_corpus(args.events.split(","))
    names = args.routes.split(",")
    routes = [
        Route(f"{build}:{name}", "", handler_call(module, name))
        for name in names
        for build, module in builds.items()
    ]
    samples, _ = measure.run_rounds({ev: routes for ev in events}, events, args.rounds)
    print(f"{args.rounds} interleaved rounds; NEW ÷ OLD per round (below 1: NEW is faster)")
    for ev, times in samples.items():
        for name in names:
            old, new = times[f"old:{name}"], times[f"new:{name}"]
            stats = measure.summarize(new, old)
            print(
                f"  {ev:18} {name:14} old {statistics.median(old):10.2f} µs  "
                f"new {statistics.median(new):10.2f} µs  new ÷ old {stats['ratio']:.3f} "
                f"(95% CI {stats['ratio_ci_low']:.3f}–{stats['ratio_ci_high']:.3f}; "
                f"p10–p90 {stats['ratio_p10']:.3f}–{stats['ratio_p90']:.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
