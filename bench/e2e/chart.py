"""The chart: box plots of cold-start and warm latency per system, like the 2018 study's figure.

Warm latency is invoke → response (the REPORT Duration), what a caller of Lambda waits for;
the busy time until the runtime asks for the next event is in the tables, not drawn.

Drawn from the percentiles in results.json (boxes p25–p75, the line the median, whiskers p1 and
p99), so `bench.py --chart-only` redraws it without measuring again.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from events import EVENT_TITLES  # noqa: E402
from systems import SYSTEMS  # noqa: E402

COLORS = {
    "python": "#4c72b0",
    "pylambda": "#dd8452",
    "pylambda-raw": "#f2b482",
    "crowbar": "#8c8c8c",
    "lambda_runtime": "#55a868",
}
SHORT = {
    "python": "Python",
    "pylambda": "pylambda",
    "pylambda-raw": "pylambda (JSON text)",
    "crowbar": "crowbar-style",
    "lambda_runtime": "lambda_runtime",
}


def _box(stats: dict, scale: float, label: str) -> dict:
    return {
        "label": label,
        "whislo": stats["p1"] * scale,
        "q1": stats["p25"] * scale,
        "med": stats["median"] * scale,
        "q3": stats["p75"] * scale,
        "whishi": stats["p99"] * scale,
        "fliers": [],
    }


def _panel(ax, boxes: list[dict], title: str, unit: str) -> None:
    artists = ax.bxp(boxes, showfliers=False, patch_artist=True, widths=0.6)
    for patch, key in zip(artists["boxes"], COLORS, strict=True):
        patch.set_facecolor(COLORS[key])
        patch.set_alpha(0.75)
    for line in artists["medians"]:
        line.set_color("black")
    top = max(b["whishi"] for b in boxes)
    for index, box in enumerate(boxes, start=1):
        ax.annotate(
            f"{box['med']:.3g}",
            (index, box["med"]),
            xytext=(14, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_ylim(0, top * 1.08)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.tick_params(axis="x", labelsize=8, rotation=15)
    ax.grid(axis="y", alpha=0.3)


def draw(results: dict, path: Path) -> None:
    keys = [s.key for s in SYSTEMS]
    fig, axes = plt.subplots(1, 4, figsize=(15, 4.2))
    cold = [_box(results["cold"][k]["wall_ms"], 1.0, SHORT[k]) for k in keys]
    _panel(axes[0], cold, "Cold start: spawn → first response", "ms")
    for ax, (event, data) in zip(axes[1:], results["warm"].items(), strict=True):
        large = data["python"]["duration_us"]["median"] > 5000
        scale, unit = (0.001, "ms") if large else (1.0, "µs")
        boxes = [_box(data[k]["duration_us"], scale, SHORT[k]) for k in keys]
        _panel(ax, boxes, f"Warm latency: {EVENT_TITLES[event]}", unit)
    m = results["machine"]
    fig.suptitle(
        "Echo function through the local Lambda emulator (python3.11 runtime / provided.al2023)"
        f" — {m['date']}, {m['cores']} cores, load {results['load']['start']}",
        fontsize=10,
    )
    fig.text(
        0.5,
        0.01,
        "boxes p25–p75, line and label the median, whiskers p1–p99; "
        f"{results['config']['cold']} cold starts and "
        + ", ".join(str(n) for n in results["config"]["warm"].values())
        + " warm invocations per system",
        ha="center",
        fontsize=8,
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)
