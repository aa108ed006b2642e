"""What the numbers were measured on: they mean nothing without it (2 shared cores)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from systems import HERE

REPO = HERE.parent.parent


def loadavg() -> str:
    """The 1/5/15-minute load averages: how busy the cores were (other builds run here)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _run(*cmd: str) -> str:
    try:
        return subprocess.run(
            cmd, cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def _locked(lock: Path, names: tuple[str, ...]) -> dict[str, str]:
    text = lock.read_text() if lock.exists() else ""
    found = re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text)
    return {name: version for name, version in found if name in names}


_ASK = (
    "import sys; from importlib.metadata import version as v; "
    "print(sys.version.split()[0], v('awslambdaric'), v('simplejson'))"
)


def _runtime_python(python: str | None) -> dict[str, str]:
    """Version of the interpreter that runs awslambdaric, and of awslambdaric and simplejson."""
    python = python or sys.executable
    found = _run(python, "-c", _ASK).split()
    if len(found) != 3:
        found = ["unknown"] * 3
    return {
        "python": f"{found[0]} ({python})",
        "awslambdaric": found[1],
        "simplejson": found[2],
    }


def describe(python: str | None = None) -> dict[str, object]:
    """The machine, toolchains and code versions, for results.json and results.md."""
    dirty = _run("git", "status", "--porcelain", "--", "src", "Cargo.toml", "examples/echo")
    crates = _locked(HERE / "Cargo.lock", ("cpython", "lambda_runtime", "tokio", "hyper"))
    crates.update(_locked(REPO / "Cargo.lock", ("serde_json", "mimalloc")))
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        **_runtime_python(python),
        "rustc": _run("rustc", "--version"),
        "pylambda_commit": _run("git", "rev-parse", "--short", "HEAD")
        + (" + uncommitted changes in src/" if dirty and dirty != "unknown" else ""),
        "crates": crates,
        "loadavg_start": loadavg(),
    }
