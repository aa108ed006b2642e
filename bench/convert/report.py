"""results.json → results.md: the tables docs/benchmarks-convert.md quotes."""

from __future__ import annotations

import sys
from pathlib import Path

# bench/shared.py, shared with the other benchmark (bench/ is not a package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import shared  # noqa: E402

ENGINE = "pylambda"
#: Events of the "no slower than marshal" target (API Gateway, SQS and the 1 MB events).
MARSHAL_EVENTS = ["apigw-v1", "apigw-v2", "sqs-10", "sqs-1mb", "dynamodb-1mb"]


def us(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def ratio(x: float) -> str:
    return f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def ratio_cell(s: dict) -> str:
    """Median ratio, with the p10–p90 of the per-round ratios."""
    return f"{ratio(s['ratio'])} ({s['ratio_p10']:.2f}–{s['ratio_p90']:.2f})"


def spread_cell(s: dict) -> str:
    return f"{us(s['p10_us'])}–{us(s['p90_us'])}"


def size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} KB" if n >= 1000 else f"{n} B"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def _verdict(stats: dict, threshold: float) -> str:
    met = stats["ratio"] >= threshold
    return shared.verdict(met, stats["ratio_ci_low"], stats["ratio_ci_high"], threshold)


def _unresolved(stats: dict, threshold: float) -> bool:
    return shared.unresolved(stats["ratio_ci_low"], stats["ratio_ci_high"], threshold)


def _ratio_interval(s: dict) -> str:
    """The median ratio with its 95% CI and the rounds' p10–p90."""
    ci = f"95% CI {ratio(s['ratio_ci_low'])}–{ratio(s['ratio_ci_high'])}"
    spread = f"p10–p90 {ratio(s['ratio_p10'])}–{ratio(s['ratio_p90'])}"
    return f"{ratio(s['ratio'])} ({ci}; {spread})"


def targets(data: dict) -> list[list[str]]:
    res = data["results"]
    rows = []
    apigw = res.get("apigw-v1", {})
    for route, threshold in (("cpython-serde", 8.0), ("json-bridge", 3.0)):
        if route in apigw:
            s = apigw[route]
            rows.append(
                [
                    f"≥ {threshold:.0f}× faster than {route} on apigw-v1",
                    _ratio_interval(s),
                    _verdict(s, threshold),
                ]
            )
    for route in ("pythonize", "pickle-bridge", "pythonize-ordered"):
        per = {ev: r[route] for ev, r in res.items() if route in r}
        if not per:
            continue
        worst_ev = min(per, key=lambda ev: per[ev]["ratio"])
        misses = [ev for ev, s in per.items() if s["ratio"] <= 1.0]
        border = [ev for ev, s in per.items() if _unresolved(s, 1.0)]
        verdict = "met" if not misses else "**missed** on " + ", ".join(misses)
        if border:
            verdict += " (not resolved on " + ", ".join(border) + ")"
        rows.append(
            [
                f"faster than {route} on every event",
                f"lowest {ratio(per[worst_ev]['ratio'])} on {worst_ev}",
                verdict,
            ]
        )
    for ev in MARSHAL_EVENTS:
        if ev in res and "marshal" in res[ev]:
            s = res[ev]["marshal"]
            rows.append(
                [
                    f"no slower than marshal on {ev}",
                    f"marshal/engine {_ratio_interval(s)}",
                    _verdict(s, 1.0),
                ]
            )
    if "soak" in data:
        s = data["soak"]
        rows.append(
            [
                f"RSS within 1 MB over {s['calls']:,} round trips",
                f"{s['rss_growth_kib']} KiB ({s['rss_start_kib']} → {s['rss_end_kib']} KiB)",
                "met" if s["met"] else "**missed**",
            ]
        )
    return rows


def render(data: dict) -> str:
    m, res, routes = data["machine"], data["results"], data["routes"]
    events = list(res)
    ident = [r for r, info in routes.items() if not info["typed"]]
    typed = [r for r, info in routes.items() if info["typed"]]
    label = {ev: f"{ev} ({size(data['events'][ev])})" for ev in events}
    out = [
        "# Conversion benchmark: results",
        "",
        "Written by `bench/convert/bench.py` (`make bench-convert`); do not edit by hand.",
        "",
        f"- date: {m['date']}; pylambda {m['pylambda_commit']}",
        (
            f"- CPU: {m['cpu']}, {m['cores']} cores; kernel {m['kernel']}; "
            f"load average {m['loadavg_start']} at start, {m['loadavg_end']} at end"
        ),
        f"- Python {m['python']}; {m['rustc']}; orjson {m['orjson']}",
        "- crates: " + ", ".join(f"{k} {v}" for k, v in sorted(m["crates"].items())),
        (
            f"- {data['rounds']} rounds, each route once per round in random order, each "
            f"time a batch of calls of about {data['batch_us']:.0f} µs; cyclic GC "
            f"{data.get('gc', 'off while timing')}; {m['seconds']} s in all"
        ),
        (
            f"- RSS of the process: {m['rss_before_kib']:,} KiB before timing, "
            f"{m['rss_after_kib']:,} KiB after"
        ),
        "",
        "## Targets",
        "",
        *table(["target", "measured (median of per-round ratios)", "verdict"], targets(data)),
        "",
        "## Identity round trip, median µs per call",
        "",
        *table(
            ["event", *ident],
            [[label[ev], *(us(res[ev][r]["median_us"]) for r in ident)] for ev in events],
        ),
        "",
        "## Ratio to this engine (route time / pylambda time; > 1: pylambda is faster)",
        "",
        "Median of the per-round ratios, and their p10–p90.",
        "",
        *table(
            ["event", *(r for r in ident if r != ENGINE)],
            [[ev, *(ratio_cell(res[ev][r]) for r in ident if r != ENGINE)] for ev in events],
        ),
        "",
        "## Spread: p10–p90 µs per call across rounds",
        "",
        *table(
            ["event", *ident],
            [[ev, *(spread_cell(res[ev][r]) for r in ident)] for ev in events],
        ),
    ]
    typed_ev = next((ev for ev in events if typed and typed[0] in res[ev]), None)
    corr = data["correctness"]
    if typed_ev:
        out += [
            "",
            f"## Typed: {typed_ev} into `ApiGatewayProxyRequest`, `ApiGatewayProxyResponse` back",
            "",
            *table(
                ["route", "median µs", "p10–p90 µs", "ratio to typed-pylambda", "response"],
                [
                    [
                        f"{r} ({routes[r]['label']})",
                        us(res[typed_ev][r]["median_us"]),
                        spread_cell(res[typed_ev][r]),
                        ratio_cell(res[typed_ev][r]),
                        corr["typed"].get(r, ""),
                    ]
                    for r in typed
                ],
            ),
        ]
    out += [
        "",
        "## Correctness on the corpus (result compared with the input, strictly)",
        "",
        "`exact`: `==`, every dict's key order kept, every value's type kept, floats bit for bit.",
        "",
        *table(
            ["event", *ident],
            [[ev, *(corr["corpus"][ev][r]["summary"] for r in ident)] for ev in events],
        ),
        "",
        "## Correctness on edge cases (each probe run on its own)",
        "",
        *table(
            ["probe", *ident],
            [[p, *(by[r]["summary"] for r in ident)] for p, by in corr["probes"].items()],
        ),
    ]
    if "floor" in data:
        out += ["", *floor_section(data["floor"])]
    if "soak" in data:
        s = data["soak"]
        out += [
            "",
            "## RSS soak",
            "",
            f"{s['calls']:,} calls of `{s['route']}` on {s['event']} after {s['warmup_calls']:,} "
            f"warm-up calls, in {s['seconds']} s: RSS {s['rss_start_kib']:,} → "
            f"{s['rss_end_kib']:,} KiB (growth {s['rss_growth_kib']} KiB; max "
            f"{s['rss_max_kib']:,} KiB). Every tenth of the run: "
            + ", ".join(str(x) for x in s["rss_samples_kib"])
            + " KiB.",
        ]
    return "\n".join(out) + "\n"


def floor_section(floor: dict) -> list[str]:
    """The marshal target against what reading the event and building a `serde_json::Value`
    cost by themselves."""
    rows = []
    for ev, t in floor["results"].items():
        out_half = t["pylambda-out"]
        budget = t["marshal"] - t["value-build"] - t["walk"]
        needed = min(out_half, t["marshal-loads"])
        if budget > 1.05 * needed:
            verdict = "within reach"
        elif budget + t["walk"] / 2 < 0.95 * needed:
            verdict = "**out of reach** (even reading twice as fast)"
        elif budget < 0.95 * needed:
            verdict = "**out of reach** at this engine's reading speed"
        else:
            verdict = "at the edge (±5%)"
        rows.append(
            [
                ev,
                us(t["marshal"]),
                f"{us(t['marshal-dumps'])} + {us(t['marshal-loads'])}",
                us(t["pylambda"]),
                f"{us(t['pylambda-in'])} + {us(out_half)}",
                us(t["walk"]),
                us(t["value-build"]),
                us(budget),
                us(needed),
                verdict,
            ]
        )
    return [
        "## The floor under a `serde_json::Value` (why marshal parity is out of reach on some events)",
        "",
        "A round trip into `serde_json::Value` has to read the event, build the `Value`, drop "
        "it, and build the response's objects. Two of those are measured alone: `reading` is "
        "this engine's read-only walk of the event (`walk` in "
        "bench/convert/pylambda_routes/src/floor.rs: every object visited as the "
        "`Deserializer` visits it, every str's UTF-8 borrowed, nothing built); `Value built + "
        "dropped` is the `Value`'s own work, done from Rust data with no Python object read or "
        "made — an allocation per string, array and map (two per map: entries and hash table, "
        "as serde_json's `preserve_order` map keeps key order in an IndexMap), every string "
        "copied — at its cheapest: a `clone()`, which copies each map's hash table instead of "
        "hashing its keys, as the engine's remembered dict shapes do (`value_build_ns`). What "
        "marshal's round trip leaves after both is the budget for building the response's "
        "objects, which takes marshal.loads, a C loop over bytes, or this engine's second half "
        "(`pylambda` minus `pylambda-in`, which stops after Python → `Value`; per round) at "
        "least `needed` µs. Where the budget is smaller, an engine whose handler takes a "
        "`Value` cannot match marshal unless it reads the event faster than this walk or "
        "builds the objects faster than both; `even reading twice as fast` says that halving "
        f"the reading would not be enough either. Medians over {floor['rounds']} interleaved "
        "rounds, µs.",
        "",
        *table(
            [
                "event",
                "marshal",
                "= dumps + loads",
                "pylambda",
                "= Python → Value + Value → Python",
                "reading",
                "Value built + dropped",
                "budget (marshal − reading − Value)",
                "needed",
                "verdict",
            ],
            rows,
        ),
    ]


#: The part of docs/benchmarks-convert.md that each run rewrites.
DOCS_BEGIN = "<!-- BEGIN results: written by bench/convert/bench.py from results.md -->"
DOCS_END = "<!-- END results -->"
#: The sections of results.md the docs quote.
QUOTED = ("## Targets", "## Identity round trip", "## Typed", "## The floor")


def update_docs(path: Path, markdown: str) -> bool:
    """Rewrites the quoted results between the markers in `path`; False if it has none."""
    return shared.rewrite_between(path, DOCS_BEGIN, DOCS_END, shared.quote(markdown, QUOTED))
