"""Side-by-side benchmark of pylambda's conversion engine (issue 3).

    make bench-convert              # build the routes, run everything, write results.{md,json}
    make bench-convert-smoke        # every route once on every event, correctness only (CI)

or, with the routes built (make bench-convert-build):

    .venv/bin/python bench/convert/bench.py [--rounds 101] [--events apigw-v1,sqs-10]
    .venv/bin/python bench/convert/bench.py --mode smoke
    .venv/bin/python bench/convert/bench.py --mode soak [--soak-calls 1000000]
    .venv/bin/python bench/convert/bench.py --mode loop --route pylambda --event dynamodb-1mb \\
        --seconds 20 --profile profiling      # a steady loop to run under `perf record`

Everything runs in one process; see measure.py for how the timing is interleaved and
docs/benchmarks-convert.md for what the routes are and what the results say.
"""

from __future__ import annotations

import argparse
import gc
import json
import marshal
import re
import statistics
import sys
import time
from pathlib import Path

import compare
import machine
import measure
import report
from probes import PROBES
from routes import ENGINE, HERE, Route, identity_routes, load_modules, typed_routes

CORPUS = HERE / "corpus"
DOCS = HERE.parent.parent / "docs" / "benchmarks-convert.md"
#: Corpus order in tables: small to large.
EVENT_ORDER = [
    "empty",
    "eventbridge",
    "kinesis",
    "s3",
    "apigw-v2",
    "dynamodb-streams",
    "apigw-v1",
    "sqs-10",
    "sqs-1mb",
    "dynamodb-1mb",
]
TYPED_EVENT = "apigw-v1"
BOXED_ERROR = re.compile(r"&?alloc::boxed::Box<dyn core::error::Error[^>]*>")
TYPED_ENGINE = "typed-pylambda"


def load_corpus(names: list[str] | None) -> dict[str, object]:
    files = {p.stem: p for p in CORPUS.glob("*.json")}
    order = [n for n in EVENT_ORDER if n in files] + sorted(set(files) - set(EVENT_ORDER))
    chosen = names or order
    missing = set(chosen) - set(files)
    if missing:
        raise SystemExit(f"no such corpus events: {', '.join(sorted(missing))}")
    return {n: json.loads(files[n].read_text("utf-8")) for n in order if n in chosen}


def event_sizes(events: dict[str, object]) -> dict[str, int]:
    """Bytes of each event as `json.dumps` writes it (what the runtime decoded)."""
    return {n: len(json.dumps(e).encode()) for n, e in events.items()}


def check(route, event) -> dict[str, object]:
    """One call; how the result differs from the input (or the error)."""
    try:
        result = route.call(event)
    except Exception as exc:  # noqa: BLE001 - an alternative's failure is a finding
        # pylambda names the exception class after the Rust error's type; for a boxed error
        # that is a long generic name: shorten it for the tables.
        kind = BOXED_ERROR.sub("Box<dyn Error>", type(exc).__name__)
        return {"ok": False, "summary": f"error: {kind}: {str(exc)[:200]}"}
    diff = compare.compare(event, result)
    return {
        "ok": diff.exact,
        "summary": diff.summary(),
        "python_eq": diff.python_eq,
        "order_kept": not (diff.sorted_dicts or diff.reordered_dicts),
        "types_kept": not diff.types,
    }


def typed_outputs(routes, event) -> dict[str, object]:
    """The typed routes' responses, which must agree with one another."""
    out = {}
    for route in routes:
        try:
            out[route.name] = route.call(event)
        except Exception as exc:  # noqa: BLE001
            out[route.name] = f"error: {type(exc).__name__}: {exc}"
    return out


def correctness(mods, events) -> dict[str, object]:
    """Corpus correctness per route and event, the probes, and the typed routes' agreement."""
    ident = identity_routes(mods)
    corpus = {ev: {r.name: check(r, e) for r in ident} for ev, e in events.items()}
    probes = {p: {r.name: check(r, e) for r in ident} for p, e in PROBES.items()}
    typed = {}
    if TYPED_EVENT in events:
        outs = typed_outputs(typed_routes(mods), events[TYPED_EVENT])
        reference = outs.get(TYPED_ENGINE)
        typed = {
            name: (
                "same response as typed-pylambda"
                if out == reference and isinstance(out, dict)
                else f"differs: {str(out)[:160]}"
            )
            for name, out in outs.items()
        }
        typed["response"] = reference
    return {"corpus": corpus, "probes": probes, "typed": typed}


def smoke(mods, events) -> int:
    """Each route once on each corpus event. Fails only on what would make the benchmark
    wrong: the engine not giving back exactly its input, any route raising on the (plain
    JSON) corpus, or the typed routes disagreeing. The alternatives' differences are
    printed as findings."""
    result = correctness(mods, events)
    passed = failed = 0
    for ev, by_route in result["corpus"].items():
        for name, res in by_route.items():
            bad = res["summary"].startswith("error") or (name == ENGINE and not res["ok"])
            failed += bad
            passed += not bad
            if bad or not res["ok"]:
                print(f"{'FAIL' if bad else 'note'} {ev:18} {name:15} {res['summary']}")
    for name, verdict in result["typed"].items():
        if name == "response":
            continue
        bad = not verdict.startswith("same")
        failed += bad
        passed += not bad
        if bad:
            print(f"FAIL typed {name}: {verdict}")
    # The floor measurement's own routes (results.md, "the floor"): the first half of the
    # engine's round trip and the read-only walk answer None; the Rust-only build reports a
    # positive time.
    pl = mods["libpylambda_routes"]
    for ev, event in events.items():
        in_only, walked = pl.value_in(event, None), pl.walk(event, None)
        build_ns = pl.value_build_ns(event, None)
        bad = in_only is not None or walked is not None or not build_ns > 0
        failed += bad
        passed += not bad
        if bad:
            print(
                f"FAIL floor {ev}: value_in -> {in_only!r}, walk -> {walked!r}, "
                f"value_build_ns -> {build_ns!r}"
            )
    print("probes (findings, not failures):")
    for probe, by_route in result["probes"].items():
        cells = ", ".join(f"{n}: {r['summary']}" for n, r in by_route.items() if not r["ok"])
        print(f"  {probe:26} {cells or 'all exact'}")
    print(f"bench-convert-smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


def soak(mods, events, calls: int, route_name: str) -> dict[str, object]:
    """`calls` round trips of one route on the API Gateway v1 event after warm-up; RSS
    growth (the target: under 1 MB)."""
    routes = {r.name: r for r in identity_routes(mods) + typed_routes(mods)}
    route, event = routes[route_name], events[TYPED_EVENT]
    warmup = max(10_000, calls // 100)
    for _ in range(warmup):
        route.call(event)
    gc.collect()
    start = machine.rss_kib()
    samples = []
    step = max(1, calls // 10)
    t0 = time.perf_counter()
    for i in range(1, calls + 1):
        route.call(event)
        if i % step == 0:
            samples.append(machine.rss_kib())
    seconds = time.perf_counter() - t0
    gc.collect()
    end = machine.rss_kib()
    out = {
        "route": route_name,
        "event": TYPED_EVENT,
        "warmup_calls": warmup,
        "calls": calls,
        "rss_start_kib": start,
        "rss_end_kib": end,
        "rss_growth_kib": end - start,
        "rss_max_kib": max(samples + [end]),
        "rss_samples_kib": samples,
        "seconds": round(seconds, 1),
        "met": end - start < 1024,
    }
    print(
        f"soak: {calls:,} calls of {route_name} on {TYPED_EVENT} in {seconds:.1f} s; RSS "
        f"{start} → {end} KiB (growth {end - start} KiB, max {out['rss_max_kib']} KiB): "
        f"{'within' if out['met'] else 'NOT within'} 1 MB"
    )
    return out


def loop(mods, events, route_name: str, event_name: str, seconds: float, keep_gc: bool) -> None:
    """Calls one route on one event for `seconds`: a steady state for `perf record` (without
    the cyclic GC unless `keep_gc`, as the timing runs)."""
    routes = {r.name: r for r in identity_routes(mods) + typed_routes(mods)}
    route, event = routes[route_name], events[event_name]
    gc.collect()
    gc.freeze()
    if not keep_gc:
        gc.disable()
    deadline, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline:
        for _ in range(10):
            route.call(event)
        n += 10
    print(f"loop: {n} calls of {route_name} on {event_name}, {seconds / n * 1e6:.2f} µs each")


def benchmark(mods, events, rounds: int, keep_gc: bool) -> dict[str, object]:
    """The side-by-side timing, with correctness and RSS around it."""
    ident, typed = identity_routes(mods), typed_routes(mods)
    by_event = {ev: list(ident) + (typed if ev == TYPED_EVENT else []) for ev in events}
    info = machine.describe()
    info["rss_before_kib"] = machine.rss_kib()
    checks = correctness(mods, events)
    started = time.perf_counter()

    def progress(i: int) -> None:
        if (i + 1) % max(1, rounds // 10) == 0:
            print(f"  round {i + 1}/{rounds} ({time.perf_counter() - started:.0f} s)", flush=True)

    samples, batch = measure.run_rounds(
        by_event, events, rounds, progress=progress, keep_gc=keep_gc
    )
    info["rss_after_kib"] = machine.rss_kib()
    info["loadavg_end"] = machine.loadavg()
    info["seconds"] = round(time.perf_counter() - started, 1)
    results = {}
    for ev, times in samples.items():
        results[ev] = {}
        for route in by_event[ev]:
            base = TYPED_ENGINE if route.typed else ENGINE
            stats = measure.summarize(times[route.name], times[base])
            stats["batch"] = batch[ev][route.name]
            results[ev][route.name] = stats
    return {
        "machine": info,
        "rounds": rounds,
        "batch_us": measure.BATCH_US,
        "gc": "on" if keep_gc else "off while timing",
        "events": event_sizes(events),
        "routes": {r.name: {"label": r.label, "typed": r.typed} for r in ident + typed},
        "results": results,
        "correctness": checks,
    }


def floor(mods, events, rounds: int) -> dict[str, object]:
    """What a `serde_json::Value` costs by itself, against marshal, on the events of the
    marshal target: the two halves of this engine's round trip and of marshal's, timed
    interleaved as above with the engine's read-only walk of the event (`walk`: every object
    read, nothing built), and the Rust-only cost of building and dropping the event's `Value`
    (`value_build_ns`: no Python objects read or made)."""
    pl = mods["libpylambda_routes"]
    names = [ev for ev in report.MARSHAL_EVENTS if ev in events]
    by_event = {}
    for ev in names:
        dumped = marshal.dumps(events[ev])
        by_event[ev] = [
            Route("pylambda", "", lambda e: pl.value(e, None)),
            Route("pylambda-in", "", lambda e: pl.value_in(e, None)),
            Route("walk", "", lambda e: pl.walk(e, None)),
            Route("marshal", "", lambda e: marshal.loads(marshal.dumps(e))),
            Route("marshal-dumps", "", marshal.dumps),
            Route("marshal-loads", "", lambda _e, b=dumped: marshal.loads(b)),
        ]
    samples, _ = measure.run_rounds(by_event, {ev: events[ev] for ev in names}, rounds)
    out = {}
    for ev in names:
        times = samples[ev]
        out[ev] = {name: statistics.median(t) for name, t in times.items()}
        # The second half of the engine's round trip, per round (the two halves of a round
        # were timed moments apart, so the noise of the machine mostly cancels).
        out[ev]["pylambda-out"] = statistics.median(
            a - b for a, b in zip(times["pylambda"], times["pylambda-in"], strict=True)
        )
        builds = [pl.value_build_ns(events[ev], None) / 1000.0 for _ in range(rounds)]
        out[ev]["value-build"] = statistics.median(builds)
    return {"rounds": rounds, "results": out}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["bench", "smoke", "soak", "loop"], default="bench")
    parser.add_argument(
        "--profile", default="release", help="cargo profile the routes were built with"
    )
    parser.add_argument("--rounds", type=int, default=101)
    parser.add_argument("--events", help="comma-separated corpus names (default: all)")
    parser.add_argument("--soak-calls", type=int, default=1_000_000)
    parser.add_argument("--soak-route", default=ENGINE)
    parser.add_argument("--no-soak", action="store_true", help="bench mode: skip the RSS soak")
    parser.add_argument("--route", default=ENGINE, help="loop mode: the route")
    parser.add_argument("--event", default="dynamodb-1mb", help="loop mode: the event")
    parser.add_argument("--seconds", type=float, default=20.0, help="loop mode: how long")
    parser.add_argument(
        "--gc", action="store_true", help="keep the cyclic GC on while timing (as in Lambda)"
    )
    parser.add_argument("--out", type=Path, default=HERE, help="where results.{md,json} go")
    args = parser.parse_args(argv)

    mods = load_modules(args.profile, need=("libpylambda_routes",))
    events = load_corpus(args.events.split(",") if args.events else None)
    if args.mode == "smoke":
        return smoke(mods, events)
    if args.mode == "soak":
        soak(mods, events, args.soak_calls, args.soak_route)
        return 0
    if args.mode == "loop":
        loop(mods, events, args.route, args.event, args.seconds, args.gc)
        return 0

    print(f"bench: {len(events)} events, {args.rounds} rounds; modules: {', '.join(mods)}")
    data = benchmark(mods, events, args.rounds, args.gc)
    print("floor: what a serde_json::Value costs by itself", flush=True)
    data["floor"] = floor(mods, events, args.rounds)
    if not args.no_soak and TYPED_EVENT in events:
        data["soak"] = soak(mods, events, args.soak_calls, args.soak_route)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    markdown = report.render(data)
    (args.out / "results.md").write_text(markdown)
    if args.out == HERE and report.update_docs(DOCS, markdown):
        print(f"quoted in {DOCS.relative_to(HERE.parent.parent)}")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
