"""What the numbers were measured on: they mean nothing without it."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/shared.py, shared with the other benchmark (bench/ is not a package).
sys.path.insert(0, str(HERE.parent))
import shared  # noqa: E402

#: bench.py reads the load average through this module.
loadavg = shared.loadavg


def rss_kib() -> int:
    """This process's resident set size (VmRSS), KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def describe() -> dict[str, object]:
    """The machine, toolchains and code versions, for results.json and results.md."""
    import orjson

    return {
        **shared.machine(("src", "Cargo.toml")),
        "python": sys.version.split()[0] + f" ({sys.executable})",
        "orjson": orjson.__version__,
        "crates": shared.locked_versions(
            HERE / "Cargo.lock",
            ("serde_json", "serde-pickle", "cpython", "pyo3", "pythonize", "aws_lambda_events"),
        ),
    }
