"""results.json → results.md: the tables, and the issue's targets checked one by one."""

from __future__ import annotations

import sys
from pathlib import Path

from events import EVENT_TITLES
from systems import PROTOTYPE_SYSTEMS, SYSTEMS

# bench/shared.py, shared with the other benchmark (bench/ is not a package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import shared  # noqa: E402

#: The 2018 study's crowbar zip ("774 KB"), read as 774,000 bytes (the stricter reading).
STUDY_CROWBAR_ZIP = 774_000

TITLES = {s.key: s.title for s in SYSTEMS + PROTOTYPE_SYSTEMS}


def _us(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:,.1f} ms"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _ratio(r: dict, digits: int = 2) -> str:
    return f"{r['median']:.{digits}f}× ({r['p10']:.{digits}f}–{r['p90']:.{digits}f})"


def _ratio_ci(r: dict, digits: int = 3) -> str:
    """The median with its 95% confidence interval, then the rounds' p10–p90."""
    return (
        f"{r['median']:.{digits}f}× (95% CI {r['ci_low']:.{digits}f}–{r['ci_high']:.{digits}f}; "
        f"rounds p10–p90 {r['p10']:.{digits}f}–{r['p90']:.{digits}f})"
    )


def _interval(r: dict) -> str:
    """A paired difference's 95% CI and p10–p90, in ms."""
    return f"95% CI {r['ci_low']:+.1f}–{r['ci_high']:+.1f}; p10–p90 {r['p10']:+.1f}–{r['p90']:+.1f}"


def _inverse(r: dict) -> dict:
    """pylambda ÷ system from system ÷ pylambda (per-round ratios, so the bounds swap)."""
    return {
        "median": 1 / r["median"],
        "ci_low": 1 / r["ci_high"],
        "ci_high": 1 / r["ci_low"],
        "p10": 1 / r["p90"],
        "p90": 1 / r["p10"],
    }


def _verdict(ok: bool, r: dict, limit: float) -> str:
    return shared.verdict(ok, r["ci_low"], r["ci_high"], limit)


def _busy(results: dict, event: str, key: str, inverse: bool = False) -> str:
    """The same comparison on busy time (invoke → the runtime back at `/next`), to quote
    beside the latency's."""
    r = results["ratios_busy"][event][key]
    return f"; busy time (until `/next`) {_ratio_ci(_inverse(r) if inverse else r)}"


def _lowest_crowbar(ratios: dict) -> tuple[str, dict]:
    """The event where crowbar-style comes closest to pylambda, and that ratio."""
    event = min(ratios, key=lambda e: ratios[e]["crowbar"]["median"])
    return event, ratios[event]["crowbar"]


def targets(results: dict) -> list[dict]:
    """The issue's targets, each with its measured value and a verdict. The warm ones are
    judged on latency (invoke → response), what a caller of Lambda waits for; the busy time
    (until the runtime asks for the next event) is quoted beside it."""
    out = []
    ratios = results["ratios"]
    for event, limit in (("empty", 1.05), ("apigw", 1.15)):
        r = _inverse(ratios[event]["python"])
        medians = results["warm"][event]
        plain = medians["pylambda"]["duration_us"]["median"]
        base = medians["python"]["duration_us"]["median"]
        out.append(
            {
                "target": f"warm median within {round((limit - 1) * 100)}% of the Python "
                f"echo on {EVENT_TITLES[event]}",
                "measured": f"latency: pylambda ÷ Python {_ratio_ci(r)} per round; medians "
                f"{_us(plain)} vs {_us(base)} µs ({plain / base:.3f}×)"
                + _busy(results, event, "python", inverse=True),
                "verdict": _verdict(r["median"] <= limit, r, limit),
            }
        )
    r = ratios["batch-256k"]["crowbar"]
    out.append(
        {
            "target": "≥ 2× faster than crowbar-style on the 256 KB event",
            "measured": f"latency: crowbar ÷ pylambda {_ratio_ci(r)}"
            + _busy(results, "batch-256k", "crowbar"),
            "verdict": _verdict(r["median"] >= 2, r, 2),
        }
    )
    r = ratios["batch-256k"].get("crowbar/pylambda-raw")
    if r:
        out.append(
            {
                "target": "≥ 2× faster than crowbar-style on the 256 KB event, answering with "
                "JSON text (`libecho.raw`)",
                "measured": f"latency: crowbar ÷ pylambda (JSON text) {_ratio_ci(r)}"
                + _busy(results, "batch-256k", "crowbar/pylambda-raw"),
                "verdict": _verdict(r["median"] >= 2, r, 2),
            }
        )
    lowest, r = _lowest_crowbar(ratios)
    lowest_busy, r_busy = _lowest_crowbar(results["ratios_busy"])
    out.append(
        {
            "target": "faster than crowbar-style on every event",
            "measured": f"lowest latency crowbar ÷ pylambda: {_ratio_ci(r)} on "
            f"{EVENT_TITLES[lowest]}; lowest busy time: {_ratio_ci(r_busy)} on "
            f"{EVENT_TITLES[lowest_busy]}",
            "verdict": _verdict(r["median"] > 1, r, 1),
        }
    )
    cold = results["cold"]
    diff = cold["pylambda"]["wall_ms"]["median"] - cold["python"]["wall_ms"]["median"]
    paired = cold["pylambda"]["minus_python_ms"]
    out.append(
        {
            "target": "cold start within 10 ms of the Python echo's",
            "measured": f"{diff:+.1f} ms (medians {cold['pylambda']['wall_ms']['median']:.1f} "
            f"vs {cold['python']['wall_ms']['median']:.1f} ms); paired per repetition "
            f"{paired['median']:+.1f} ms ({_interval(paired)})",
            "verdict": _verdict(paired["median"] <= 10, paired, 10),
        }
    )
    sizes = results["sizes"]
    hello, runtime = sizes["hello"]["zipped"], sizes["lambda_runtime"]["zipped"]
    ok = hello < STUDY_CROWBAR_ZIP and hello < runtime
    out.append(
        {
            "target": "`hello` zip smaller than the study's crowbar (774 KB) and than the "
            "`lambda_runtime` echo zip",
            "measured": f"{hello:,} bytes vs 774,000 and {runtime:,}",
            "verdict": "met" if ok else "**missed**",
        }
    )
    return out


def _machine(results: dict) -> list[str]:
    m, load = results["machine"], results["load"]
    crates = ", ".join(f"{k} {v}" for k, v in sorted(m["crates"].items()))
    phases = "; ".join(f"{k.replace('after_', 'after ')} {v}" for k, v in load.items())
    epochs = results["config"].get("epochs", {})
    return [
        f"- date: {m['date']}; pylambda {m['pylambda_commit']}",
        f"- CPU: {m['cpu']}, {m['cores']} cores; kernel {m['kernel']}",
        f"- load average (1/5/15 min): {phases}",
        f"- Python {m['python']}; awslambdaric {m['awslambdaric']}, simplejson "
        f"{m['simplejson']} (AWS_EXECUTION_ENV follows the interpreter's version)",
        f"- {m['rustc']}; crates: {crates}",
        f"- {results['config']['cold']} cold starts per system; warm invocations per system: "
        + ", ".join(
            f"{EVENT_TITLES[e]} {n}"
            + (f" in {epochs[e]} epochs of fresh processes" if epochs.get(e, 1) > 1 else "")
            for e, n in results["config"]["warm"].items()
        )
        + f"; {results['seconds']} s in all",
        "- emulator and functions pinned to CPU "
        + (str(results["config"]["cpu"]) if results["config"].get("cpu") is not None else "none")
        + " (`--cpu`)",
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(results: dict) -> str:
    keys = [s.key for s in SYSTEMS]
    titles = [TITLES[k] for k in keys]
    lines = ["# End-to-end benchmark results", ""]
    lines += ["Written by `bench/e2e/bench.py` (`make bench-e2e`).", ""]
    lines += _machine(results) + [""]

    lines += ["## Targets", ""]
    rows = [[t["target"], t["measured"], t["verdict"]] for t in results["targets"]]
    lines += _table(["target", "measured", "verdict"], rows) + [""]

    for title, text, field, ratios in _WARM_SECTIONS:
        lines += [f"## Warm invocations: {title}, µs", "", text, ""]
        lines += _warm_table(results, field, keys, titles)
        lines += _ratio_table(results[ratios], keys)

    lines += ["## Cold start", ""]
    lines += [
        "A fresh environment's first invocation (`{}`): spawning the runtime process, its "
        "INIT phase, the invocation. Milliseconds; median (p10–p90).",
        "",
    ]
    rows = []
    for key in keys:
        c = results["cold"][key]
        w, i, d = c["wall_ms"], c["init_ms"], c["minus_python_ms"]
        rows.append(
            [
                TITLES[key],
                f"**{w['median']:.1f}** ({w['p10']:.1f}–{w['p90']:.1f})",
                f"{i['median']:.1f}",
                "" if key == "python" else f"{d['median']:+.1f} ({d['p10']:+.1f}–{d['p90']:+.1f})",
                f"{c['rss_kib']['median'] / 1024:.1f}",
            ]
        )
    header = ["system", "spawn → first response", "Init Duration", "− Python, paired", "RSS MiB"]
    lines += _table(header, rows) + [""]

    lines += ["## Peak RSS (MiB) after each warm series", ""]
    rows = [
        [EVENT_TITLES[event]] + [f"{(data[k]['rss_kib'] or 0) / 1024:.1f}" for k in keys]
        for event, data in results["warm"].items()
    ]
    lines += _table(["event", *titles], rows) + [""]

    lines += ["## Artifact size", ""]
    rows = []
    for key in [*keys, "hello"]:
        s = results["sizes"][key]
        title = TITLES.get(key, "pylambda `examples/hello`")
        rows.append([title, f"{s['zipped']:,}", f"{s['unzipped']:,}", ", ".join(s["files"])])
    rows.append(["the study's crowbar (2018)", "774 KB", "", ""])
    rows.append(["the study's Rust runtime (2018)", "1.6 MB", "", ""])
    lines += _table(["system", "zip, bytes", "unzipped, bytes", "contents"], rows) + [""]

    lines += _breakdown(results)
    return "\n".join(lines).rstrip() + "\n"


#: The two warm tables: title, what it measures, the series' field, its ratios in results.
_WARM_SECTIONS = (
    (
        "latency",
        "Median (p90 / p99) from invoking to the runtime's response received (the REPORT "
        "line's Duration): the event delivered over the Runtime API, the runtime's work, its "
        "response. What a caller waits for: Lambda answers the caller when the runtime POSTs "
        "the response.",
        "duration_us",
        "ratios",
    ),
    (
        "busy time",
        "Median (p90 / p99) of each `invoke()`: the latency above plus the runtime's work "
        "after its response until it asks `/next` for the next event (awslambdaric freeing the "
        "event and the response, collections) and the REPORT line. How long the environment "
        "is taken by an invocation, which bounds its throughput; no caller waits for it.",
        "round_trip_us",
        "ratios_busy",
    ),
)


def _warm_table(results: dict, field: str, keys: list[str], titles: list[str]) -> list[str]:
    rows = []
    for event, data in results["warm"].items():
        cells = [f"{EVENT_TITLES[event]} ({results['events'][event]['bytes']:,} B)"]
        for key in keys:
            s = data[key][field]
            cells.append(f"**{_us(s['median'])}** ({_us(s['p90'])} / {_us(s['p99'])})")
        rows.append(cells)
    return _table(["event", *titles], rows) + [""]


def _ratio_table(ratios: dict, keys: list[str]) -> list[str]:
    others = [k for k in keys if k != "pylambda"]
    rows = [
        [EVENT_TITLES[event]] + [_ratio(by_system[k]) for k in others]
        for event, by_system in ratios.items()
    ]
    head = ["Ratios to pylambda: system ÷ pylambda, median per round (p10–p90).", ""]
    table = _table(["event", *[TITLES[k] for k in others]], rows)
    return head + table + ["", "Above 1: pylambda is faster.", ""]


_PIECES = (
    ("round_trip", "busy time (`invoke()` round trip, as above)"),
    ("rest", "emulator + runtime client receiving the event + awslambdaric's loop"),
    ("post", "runtime client POSTing the response (until the 202)"),
    ("context", "awslambdaric building the context object"),
    ("unmarshal", "simplejson decoding the event"),
    ("handler", "**the handler call** (pylambda: entry, context, conversions, handler)"),
    ("marshal", "simplejson encoding the response"),
    ("gc", "(the cyclic GC, within the pieces above: mean µs per invocation)"),
    ("collections", "(collections per invocation, mean)"),
    ("emulator_cpu", "(the emulator process's own CPU)"),
    ("rss_mib", "(peak RSS after the series, MiB)"),
)


def _breakdown(results: dict) -> list[str]:
    lines = ["## Breakdown of a warm invocation", ""]
    lines += [
        "In the runtime, median µs per piece, each system run with `functions/timed.py` "
        "wrapped around its handler and awslambdaric's steps (the pieces' medians do not add "
        "up exactly to the round trip's).",
        "",
    ]
    for event, data in results["breakdown"]["in_runtime"].items():
        keys = list(data)
        lines += [f"### {EVENT_TITLES[event]}", ""]
        rows = [
            [title]
            + [_us(data[k][piece]) if piece != "rss_mib" else f"{data[k][piece]:.1f}" for k in keys]
            for piece, title in _PIECES
            if piece in data[keys[0]]
        ]
        lines += _table(["piece", *[TITLES[k] for k in keys]], rows) + [""]
    micro = results["breakdown"]["in_process"]
    lines += ["### The same calls in a plain interpreter, µs per call (median)", ""]
    events = list(micro)
    rows = [
        ["simplejson decode (`unmarshal_request`)"] + [_us(micro[e]["unmarshal"]) for e in events],
        ["simplejson encode (`marshal_response`)"] + [_us(micro[e]["marshal"]) for e in events],
        ["awslambdaric `create_lambda_context`"] + [_us(micro[e]["context"]) for e in events],
    ]
    for key in micro[events[0]]:
        if "/" in key or key in ("unmarshal", "marshal", "context"):
            continue
        rows.append(
            [f"{TITLES[key]}: `handler(event, context)`"] + [_us(micro[e][key]) for e in events]
        )
    pyl = [micro[e] for e in events]
    rows.append(
        ["pylambda: reading the context"]
        + [_difference(m["pylambda"], m["pylambda/no-context"]) for m in pyl]
    )
    rows.append(
        ["pylambda: fixed cost (`{}`, no context)"]
        + [_us(m["pylambda/empty-no-context"]) for m in pyl]
    )
    rows.append(
        ["pylambda: converting the event and the response"]
        + [_difference(m["pylambda/no-context"], m["pylambda/empty-no-context"]) for m in pyl]
    )
    lines += _table(["", *[EVENT_TITLES[e] for e in events]], rows) + [""]
    return lines


def _difference(a: float, b: float) -> str:
    """a − b, or a mark when the difference is lost in the noise of the larger number."""
    diff = a - b
    return _us(diff) if diff > 0.02 * max(a, b) else "≈ 0 (noise)"


#: The part of docs/benchmarks-e2e.md that each run rewrites.
DOCS_BEGIN = "<!-- BEGIN results: written by bench/e2e/bench.py from results.md -->"
DOCS_END = "<!-- END results -->"
QUOTED = (
    "## Targets",
    "## Warm invocations: latency",
    "## Warm invocations: busy time",
    "## Cold start",
    "## Peak RSS",
    "## Artifact size",
)


def update_docs(path: Path, markdown: str) -> bool:
    """Rewrites the quoted results between the markers in `path`; False if it has none."""
    return shared.rewrite_between(path, DOCS_BEGIN, DOCS_END, shared.quote(markdown, QUOTED))
