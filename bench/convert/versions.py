"""The engine against marshal and json under each Lambda CPython: does what the benchmark says
on 3.11 hold on the other runtimes?

    make bench-convert-versions        # 3.11 (the venv), 3.12, 3.13 (pyenv), 3.14, 3.15 (sid)
    .venv/bin/python bench/convert/versions.py PYTHON [PYTHON ...] [--events apigw-v1,sqs-10]
                                               [--rounds 101] [--out FILE]

`make bench-convert` runs every route in the tooling's CPython 3.11, because the alternatives'
cdylibs (rust-cpython, PyO3) are built for one interpreter and rust-cpython crashes on 3.14.
pylambda's module is the same file under every version (stable ABI, as the deployed zip), so
this runs the engine's identity route (`value` of libpylambda_routes, release build) beside the
interpreter's own references, `marshal.loads(marshal.dumps(e))` and `json.loads(json.dumps(e))`,
in each interpreter in turn: within one interpreter the three are interleaved in rounds, as in
`make bench-convert` (measure.py), each event in rounds of its own, and each ratio is taken
per round. Interpreters differ in their own speed (3.14's marshal is faster than 3.11's), so
compare ratios, not µs, across them. Prints a table and, with --out, writes it as markdown.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import measure
from ab import load_build
from bench import load_corpus
from machine import shared
from routes import ENGINE, HERE, Route

SO = HERE / "target" / "release" / "libpylambda_routes.so"
REPO = HERE.parent.parent
DOCS = REPO / "docs" / "benchmarks-convert.md"
DOCS_BEGIN = "<!-- BEGIN versions: written by bench/convert/versions.py -->"
DOCS_END = "<!-- END versions -->"
DEFAULT_EVENTS = "apigw-v1,apigw-v2,sqs-10,dynamodb-streams,sqs-1mb,dynamodb-1mb"
#: The references, by route name, against which the engine's per-round ratio is taken.
REFERENCES = ("marshal", "json")


def child(events: list[str], rounds: int, so: Path) -> dict[str, object]:
    """Runs in the interpreter being measured: the engine and the references on every event."""
    pl = load_build(so, sys.version.split()[0])
    routes = [
        Route(ENGINE, "", lambda e: pl.value(e, None)),
        Route("marshal", "", lambda e: marshal.loads(marshal.dumps(e))),
        Route("json", "", lambda e: json.loads(json.dumps(e))),
    ]
    loaded = load_corpus(events)
    for name, event in loaded.items():
        # A route that answers wrongly would be timed for nothing.
        if any(r.call(event) != event for r in routes):
            raise SystemExit(f"versions.py: a route changed {name} under {sys.version}")
    out = {}
    for ev, event in loaded.items():
        # Each event in rounds of its own: a 1 MB event in the same rounds slowed the engine
        # on the small ones by a fifth (apigw-v1 12.1 against 9.8 µs), through what it leaves
        # in the heap and the caches.
        samples, _ = measure.run_rounds({ev: routes}, {ev: event}, rounds)
        times = samples[ev]
        engine = times[ENGINE]
        out[ev] = {"engine_us": statistics.median(engine)}
        for ref in REFERENCES:
            # The ratio reference ÷ engine: above 1, the engine is faster.
            stats = measure.summarize(times[ref], engine)
            out[ev][ref] = stats
    version = ".".join(map(str, sys.version_info[:3]))
    return {"version": version, "events": out}


def run_child(python: str, events: str, rounds: int, so: Path) -> dict[str, object]:
    """One interpreter's results, from a child process running this file (in this directory,
    so `python` is made absolute first; not resolved: a venv's python is a symlink)."""
    python = os.path.abspath(shutil.which(python) or python)
    cmd = [python, __file__, "--child", "--events", events, "--rounds", str(rounds)]
    cmd += ["--so", str(so)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE, check=False)
    if done.returncode != 0:
        raise SystemExit(f"versions.py: {python} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout)


def table(results: list[dict[str, object]], events: list[str]) -> list[str]:
    """Markdown: per event and interpreter, the engine's median and both ratios (95% CI)."""
    lines = [
        "| event | CPython | pylambda µs | marshal ÷ pylambda (95% CI) | json ÷ pylambda |",
        "|---|---|---|---|---|",
    ]
    for ev in events:
        for result in results:
            row = result["events"][ev]
            m, j = row["marshal"], row["json"]
            lines.append(
                f"| {ev} | {result['version']} | {row['engine_us']:,.2f} | "
                f"**{m['ratio']:.2f}×** ({m['ratio_ci_low']:.2f}–{m['ratio_ci_high']:.2f}) | "
                f"{j['ratio']:.2f}× |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pythons", nargs="*", help="interpreters to run in (default: this one)")
    parser.add_argument("--events", default=DEFAULT_EVENTS)
    parser.add_argument("--rounds", type=int, default=101)
    parser.add_argument("--so", type=Path, default=SO, help="the libpylambda_routes build")
    parser.add_argument("--out", type=Path, help="write the table here as markdown")
    parser.add_argument("--docs", action="store_true", help=f"and quote it in {DOCS.name}")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    events = args.events.split(",")
    args.so = args.so.resolve()
    if args.child:
        json.dump(child(events, args.rounds, args.so), sys.stdout)
        return 0
    if not args.so.exists():
        raise SystemExit(f"versions.py: no {args.so}: make bench-convert-build")
    about = shared.machine(("src", "Cargo.toml"))
    results = []
    pythons = args.pythons or [sys.executable]
    for python in pythons:
        print(f"versions.py: {python}", file=sys.stderr)
        results.append(run_child(python, args.events, args.rounds, args.so))
    lines = table(results, events)
    print("\n".join(lines))
    if args.out:
        about_lines = [
            f"- date: {about['date']}; pylambda {about['pylambda_commit']}",
            f"- CPU: {about['cpu']}, {about['cores']} cores; kernel {about['kernel']}",
            f"- load average at start: {about['loadavg_start']}, at end: {shared.loadavg()}",
            "- interpreters: "
            + ", ".join(
                f"{r['version']} ({os.path.relpath(os.path.abspath(p), REPO)})"
                for r, p in zip(results, pythons, strict=True)
            ),
            f"- module: {os.path.relpath(args.so, REPO)}, the same file in each; "
            f"{args.rounds} interleaved rounds per interpreter; above 1: pylambda is faster",
            "",
        ]
        title = [
            "# The engine against marshal and json under each CPython",
            "",
            "Written by `bench/convert/versions.py` (`make bench-convert-versions`).",
            "",
        ]
        args.out.write_text("\n".join(title + about_lines + lines) + "\n", "utf-8")
        quoted = "\n".join(about_lines + lines) + "\n"
        if args.docs and shared.rewrite_between(DOCS, DOCS_BEGIN, DOCS_END, quoted):
            print(f"quoted in {DOCS.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
