"""End-to-end benchmark: pylambda against a pure-Python handler, crowbar-style rust-cpython and
the official `lambda_runtime`, through the local Lambda emulator with the real runtime clients.

    make bench-e2e                           # build the zips, run everything (~2 min measuring)
    .venv/bin/python bench/e2e/bench.py      # the same, with the zips built
    .venv/bin/python bench/e2e/bench.py --mode smoke   # every system and event once, no files
    .venv/bin/python bench/e2e/bench.py --chart-only   # redraw the chart from results.json

Writes bench/e2e/results.json (every summary), results.md (the tables), e2e.png (the chart)
and the results part of docs/benchmarks-e2e.md. Phases: artifact sizes; cold starts (fresh
environments, round-robin); warm invocations per event (all four environments warm side by
side, interleaved rounds); the breakdown of a warm invocation (in the runtime and in a plain
interpreter), with the prototypes of changes to pylambda.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import breakdown
import events as event_set
import machine
import measure
import report
import systems
from systems import DIST, HELLO_ZIP, HERE, PROTOTYPE_SYSTEMS, SYSTEMS, missing_artifacts, zip_sizes

DOCS = HERE.parent.parent / "docs" / "benchmarks-e2e.md"

#: Invocations per system: (warm, breakdown) per event; the 256 KB event is ~50× slower.
FULL = {
    "cold": 40,
    # {} and API Gateway are cheap (~0.2 ms): enough epochs that the median ratios' 95%
    # confidence intervals are about ±1% (the systems differ by that much on {}).
    "warm": {"empty": 18000, "apigw": 6000, "batch-256k": 1000},
    "block": {"empty": 50, "apigw": 50, "batch-256k": 10},
    # Fresh processes for every epoch (measure.warm): ratios' 95% CIs come from the epochs.
    "epochs": {"empty": 24, "apigw": 12, "batch-256k": 10},
    "warmup": {"empty": 200, "apigw": 200, "batch-256k": 30},
    "breakdown": {"empty": 1000, "apigw": 1000, "batch-256k": 200},
}
SMOKE = {
    "cold": 1,
    "warm": {"empty": 4, "apigw": 4, "batch-256k": 2},
    "block": {"empty": 2, "apigw": 2, "batch-256k": 1},
    "epochs": {"empty": 2, "apigw": 2, "batch-256k": 1},
    "warmup": {"empty": 1, "apigw": 1, "batch-256k": 1},
    "breakdown": {"empty": 2, "apigw": 2, "batch-256k": 1},
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(config: dict, with_prototypes: bool) -> dict:
    results: dict = {"machine": machine.describe(measure.PYTHON), "config": config}
    events = event_set.load_events()
    results["events"] = event_set.describe(events)
    results["sizes"] = {s.key: zip_sizes(s.artifact) for s in SYSTEMS}
    results["sizes"]["hello"] = zip_sizes(DIST / HELLO_ZIP)
    results["load"] = {"start": machine.loadavg()}
    started = time.monotonic()

    log(f"cold starts: {config['cold']} per system, round-robin")
    cold = measure.cold_starts(SYSTEMS, config["cold"], log)
    results["cold"] = summarize_cold(cold)
    results["load"]["after_cold"] = machine.loadavg()

    results["warm"], results["ratios"], results["ratios_busy"] = {}, {}, {}
    for name, body in events.items():
        n = config["warm"][name]
        log(f"warm {name} ({len(body):,} bytes): {n} invocations per system")
        series = measure.warm(
            SYSTEMS,
            body,
            n,
            config["block"][name],
            config["warmup"][name],
            log,
            epochs=config["epochs"][name],
        )
        results["warm"][name] = summarize_warm(series)
        # Latency (invoke → response: what Lambda's caller waits for) and busy time (invoke →
        # the runtime back at /next): see measure.warm.
        results["ratios"][name] = ratios_to_pylambda(series, "duration_us")
        results["ratios_busy"][name] = ratios_to_pylambda(series, "round_trip_us")
        results["load"][f"after_{name}"] = machine.loadavg()

    python_systems = [s for s in SYSTEMS if s.python_runtime]
    if with_prototypes:
        python_systems += list(PROTOTYPE_SYSTEMS)
    results["breakdown"] = {"in_runtime": {}}
    for name, body in events.items():
        n = config["breakdown"][name]
        log(f"breakdown {name}: {n} timed invocations per system")
        results["breakdown"]["in_runtime"][name] = breakdown.in_runtime(
            python_systems, body, n, config["block"][name], config["warmup"][name], log
        )
    log("breakdown: handler calls in a plain interpreter")
    modules = [s for s in python_systems if not s.env]  # the same module twice is no news
    results["breakdown"]["in_process"] = breakdown.in_process(modules, events)
    results["load"]["end"] = machine.loadavg()
    results["seconds"] = round(time.monotonic() - started)
    results["targets"] = report.targets(results)
    return results


def ratios_to_pylambda(series: dict[str, dict], field: str) -> dict[str, dict]:
    """Every other system ÷ pylambda, per round, on `field`; and crowbar ÷ the JSON-text
    answer, for that target's own line."""
    ratios = {
        key: measure.per_round_ratios(series[key], series["pylambda"], field)
        for key in series
        if key != "pylambda"
    }
    ratios["crowbar/pylambda-raw"] = measure.per_round_ratios(
        series["crowbar"], series["pylambda-raw"], field
    )
    return ratios


def summarize_cold(cold: dict[str, list[dict]]) -> dict:
    out = {}
    python_walls = [sample["wall_ms"] for sample in cold["python"]]
    for key, samples in cold.items():
        walls = [sample["wall_ms"] for sample in samples]
        out[key] = {
            "wall_ms": measure.summary(walls),
            "init_ms": measure.summary([sample["init_ms"] for sample in samples]),
            "duration_ms": measure.summary([sample["duration_ms"] for sample in samples]),
            "rss_kib": measure.summary([sample["rss_kib"] or 0 for sample in samples]),
            # Each repetition started every system once: differences paired by repetition.
            "minus_python_ms": measure.paired_summary(
                [wall - base for wall, base in zip(walls, python_walls, strict=True)]
            ),
        }
    return out


def summarize_warm(series: dict[str, dict]) -> dict:
    return {
        key: {
            "round_trip_us": measure.summary(data["round_trip_us"]),
            "duration_us": measure.summary(data["duration_us"]),
            "emulator_cpu_us": data["emulator_cpu_us"],
            "rss_kib": data["rss_kib"],
        }
        for key, data in series.items()
    }


def pin(cpu: str) -> int | None:
    """Run this process, and so every runtime it starts, on one CPU.

    Each invocation is a chain of wake-ups between the emulator and the runtime process; when
    the scheduler puts them on different cores, every hop is a cross-core wake-up, and which
    placement a process gets persists for a while. On this 2-core VM that doubled the `{}`
    round trip and tripled the spread of the per-round ratios. On one CPU every system gets the
    same kind of hop, as a small Lambda function (a fraction of one vCPU, beside Lambda's own
    runtime API server) does.
    """
    if cpu == "none":
        return None
    chosen = idlest_cpu() if cpu == "idlest" else int(cpu)
    os.sched_setaffinity(0, {chosen})
    return chosen


def idlest_cpu(seconds: float = 1.0) -> int:
    """The allowed CPU with the most idle time over `seconds` (/proc/stat): a long job of
    another session (a fuzzer, say) keeps the same core busy, and the benchmark takes the other.
    """

    def idle() -> dict[int, int]:
        out = {}
        for line in open("/proc/stat").read().splitlines():
            name, *fields = line.split()
            if name.startswith("cpu") and name != "cpu":
                out[int(name[3:])] = int(fields[3]) + int(fields[4])  # idle + iowait
        return out

    before = idle()
    time.sleep(seconds)
    after = idle()
    allowed = os.sched_getaffinity(0)
    return max(sorted(allowed), key=lambda n: after.get(n, 0) - before.get(n, 0))


def smoke() -> int:
    """Every system answers every event correctly through the emulator (no files written)."""
    events = event_set.load_events()
    for system in SYSTEMS:
        for name, body in events.items():
            with measure.open_function(system) as fn:
                result = fn.invoke(body)
                if not result.ok:
                    raise RuntimeError(f"{system.key} on {name}: {result.payload[:300]!r}")
                measure.check_echo(system, result.payload, body)
        log(f"smoke: {system.key} echoes every event")
    results = run(SMOKE, with_prototypes=True)
    report.render(results)  # the report code runs too
    log("smoke: ok")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["full", "smoke"], default="full")
    parser.add_argument("--cold", type=int, help="cold starts per system (default 40)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every warm invocation count"
    )
    parser.add_argument("--no-prototypes", action="store_true", help="skip proto_echo_*")
    parser.add_argument(
        "--cpu",
        default="idlest",
        help="pin the emulator and every function to this one CPU (default `idlest`: the one "
        "idlest over a second before starting; `none`: no pinning)",
    )
    parser.add_argument(
        "--python",
        help="interpreter running awslambdaric for the Python-runtime systems (default: this "
        "one, CPython 3.11); it needs awslambdaric, e.g. .cache/venvs/3.12/bin/python",
    )
    parser.add_argument(
        "--out", default=str(HERE), help="where results.{json,md} and e2e.png go (bench/e2e)"
    )
    parser.add_argument("--chart-only", action="store_true", help="redraw from results.json")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/ untouched")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.chart_only:
        results = json.loads((out / "results.json").read_text())
        import chart

        chart.draw(results, out / "e2e.png")
        return 0
    if args.python:
        measure.PYTHON = os.path.abspath(args.python)
        version = subprocess.run(
            [measure.PYTHON, "-c", "import sys; print('cp%d%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if version != "cp311":
            systems.PYTHON_TAG = version
    missing = missing_artifacts()
    if not args.no_prototypes:
        missing += [s.artifact for s in PROTOTYPE_SYSTEMS if not s.artifact.is_file()]
    if missing:
        names = ", ".join(str(path.relative_to(HERE)) for path in missing)
        log(f"not built: {names}: run `make bench-e2e-build` (bench/e2e/build.py) first")
        return 2
    cpu = pin(args.cpu)
    if args.mode == "smoke":
        return smoke()
    config = json.loads(json.dumps(FULL))
    config["cpu"] = cpu
    config["python"] = measure.PYTHON
    if args.cold:
        config["cold"] = args.cold
    for key in ("warm", "breakdown"):
        config[key] = {k: max(1, round(v * args.scale)) for k, v in config[key].items()}
    results = run(config, with_prototypes=not args.no_prototypes)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    markdown = report.render(results)
    (out / "results.md").write_text(markdown)
    import chart  # matplotlib only now: the measured processes are forked from this one

    chart.draw(results, out / "e2e.png")
    if not args.no_docs and out == HERE and not report.update_docs(DOCS, markdown):
        log(f"{DOCS} has no results markers: left as it is")
    log(f"wrote results.json, results.md, e2e.png in {out} ({results['seconds']} s)")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
