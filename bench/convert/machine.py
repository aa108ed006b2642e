"""What the numbers were measured on: they mean nothing without it."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def rss_kib() -> int:
    """This process's resident set size (VmRSS), KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def loadavg() -> str:
    """The 1/5/15-minute load averages: how busy the 2 cores were (other builds run here)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _run(*cmd: str, cwd: Path = REPO) -> str:
    try:
        return subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def locked_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Versions of the route crates' key dependencies, from this workspace's Cargo.lock."""
    lock = (HERE / "Cargo.lock").read_text() if (HERE / "Cargo.lock").exists() else ""
    found = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', lock):
        if name in names:
            found[name] = version
    return found


def describe() -> dict[str, object]:
    """The machine, toolchains and code versions, for results.json and results.md."""
    import orjson

    dirty = _run("git", "status", "--porcelain", "--", "src", "Cargo.toml")
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": sys.version.split()[0] + f" ({sys.executable})",
        "rustc": _run("rustc", "--version"),
        "pylambda_commit": _run("git", "rev-parse", "--short", "HEAD")
        + (" + uncommitted changes in src/" if dirty and dirty != "unknown" else ""),
        "orjson": orjson.__version__,
        "crates": locked_versions(
            ("serde_json", "serde-pickle", "cpython", "pyo3", "pythonize", "aws_lambda_events")
        ),
        "loadavg_start": loadavg(),
    }
