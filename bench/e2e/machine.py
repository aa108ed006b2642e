"""What the numbers were measured on: they mean nothing without it (2 shared cores)."""

from __future__ import annotations

import sys

from systems import HERE

# bench/shared.py, shared with the other benchmark (bench/ is not a package).
sys.path.insert(0, str(HERE.parent))
import shared  # noqa: E402

#: bench.py reads the load average through this module.
loadavg = shared.loadavg

_ASK = (
    "import sys; from importlib.metadata import version as v; "
    "print(sys.version.split()[0], v('awslambdaric'), v('simplejson'))"
)


def _runtime_python(python: str | None) -> dict[str, str]:
    """Version of the interpreter that runs awslambdaric, and of awslambdaric and simplejson."""
    python = python or sys.executable
    found = shared.run(python, "-c", _ASK).split()
    if len(found) != 3:
        found = ["unknown"] * 3
    return {
        "python": f"{found[0]} ({python})",
        "awslambdaric": found[1],
        "simplejson": found[2],
    }


def describe(python: str | None = None) -> dict[str, object]:
    """The machine, toolchains and code versions, for results.json and results.md."""
    crates = shared.locked_versions(
        HERE / "Cargo.lock", ("cpython", "lambda_runtime", "tokio", "hyper")
    )
    crates.update(shared.locked_versions(shared.REPO / "Cargo.lock", ("serde_json", "mimalloc")))
    return {
        **shared.machine(("src", "Cargo.toml", "examples/echo")),
        **_runtime_python(python),
        "crates": crates,
    }
