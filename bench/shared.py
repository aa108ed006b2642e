"""What bench/convert and bench/e2e share: describing the machine the numbers were measured
on, the confidence interval of a median, and quoting a results.md in the docs.

Each benchmark writes results.md, and its page under docs/ quotes the headline sections of it
between two HTML-comment markers, rewritten on every run so the docs never drift from the
numbers."""

from __future__ import annotations

import datetime
import math
import os
import platform
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def median_ci(values: list[float]) -> tuple[float, float]:
    """A 95% confidence interval for the median, distribution-free: the order statistics the
    binomial(n, 1/2) count of values below the median puts the median between (normal
    approximation, good from about 20 values). Unlike p10–p90, which says how much rounds
    scatter, it says how well the median itself is known, and narrows as rounds are added."""
    ordered = sorted(values)
    n = len(ordered)
    spread = 1.96 * math.sqrt(n)
    # 1-based ranks floor((n - spread) / 2) and ceil(1 + (n + spread) / 2), as 0-based indexes
    low = max(0, math.floor((n - spread) / 2) - 1)
    high = min(n - 1, math.ceil(1 + (n + spread) / 2) - 1)
    return ordered[low], ordered[high]


def unresolved(ci_low: float, ci_high: float, limit: float) -> bool:
    """Whether a run cannot tell which side of `limit` a median is on: its 95% CI spans it."""
    return ci_low <= limit <= ci_high


def verdict(met: bool, ci_low: float, ci_high: float, limit: float) -> str:
    """A target's verdict, the same rule in both benchmarks: met or missed when the median's
    95% confidence interval lies on one side of the limit, *not resolved* when it spans it
    (whichever side the median itself fell on)."""
    if unresolved(ci_low, ci_high, limit):
        return f"not resolved (the median {'meets' if met else 'misses'} it; its 95% CI spans it)"
    return "met" if met else "**missed**"


def loadavg() -> str:
    """The 1/5/15-minute load averages: how busy the 2 cores were (other builds run here)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(*cmd: str) -> str:
    """A command's stripped output, run in the repository; "unknown" if it fails."""
    try:
        return subprocess.run(
            cmd, cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def locked_versions(lock: Path, names: tuple[str, ...]) -> dict[str, str]:
    """Versions of the crates `names` in the Cargo.lock `lock`."""
    text = lock.read_text() if lock.exists() else ""
    found = re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text)
    return {name: version for name, version in found if name in names}


def machine(code_paths: tuple[str, ...]) -> dict[str, object]:
    """Date, CPU, kernel, rustc and the commit measured (marked when `code_paths` have
    uncommitted changes): what every results file starts with."""
    dirty = run("git", "status", "--porcelain", "--", *code_paths)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "rustc": run("rustc", "--version"),
        "pylambda_commit": run("git", "rev-parse", "--short", "HEAD")
        + (" + uncommitted changes in src/" if dirty and dirty != "unknown" else ""),
        "loadavg_start": loadavg(),
    }


def quote(markdown: str, sections: tuple[str, ...]) -> str:
    """The machine description (the `- ` lines before the first section) and the sections
    whose headings start with one of `sections`, each one heading level down."""
    head, *rest = markdown.split("\n## ")
    machine = [line for line in head.splitlines() if line.startswith("- ")]
    kept = ["## " + s.rstrip() for s in rest if ("## " + s).startswith(sections)]
    return "\n".join(machine) + "\n\n" + "\n\n".join("#" + s for s in kept) + "\n"


def rewrite_between(path: Path, begin: str, end: str, text: str) -> bool:
    """Replaces what stands between the markers `begin` and `end` in `path` with `text`;
    False (and nothing written) if the file lacks them."""
    old = path.read_text("utf-8") if path.exists() else ""
    if begin not in old or end not in old:
        return False
    before, rest = old.split(begin, 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{begin}\n{text}{end}{after}", "utf-8")
    return True
