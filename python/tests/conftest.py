"""Fixtures shared by the pytest suites.

- `release_artifact(name)`: a built example under target/release, or a skip saying how to build it.
- `write_module(name, source)`: a Python handler module in a temporary directory, for emulator
  tests that need a function without building Rust.
- `same_json(a, b)`: JSON values equal *and* of the same Python types all the way down.
- `built_module(name)`: imports `target/release/lib<name>.so` as the runtime would; `echo`
  (libecho's handler) and `probe` (the test-only module of one handler per conversion rule).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASE_DIR = REPO_ROOT / "target" / "release"


@pytest.fixture
def release_artifact() -> Callable[[str], Path]:
    """`release_artifact("libecho.so")` -> target/release/libecho.so, or skip if it is not built.

    `make test` builds every example first (`test-python` depends on `build-examples`), so the
    skip only happens when pytest is run by hand before a build. In CI (CI=true) a missing
    example fails instead: there a skip would hide a broken build.
    """

    def find(name: str) -> Path:
        path = RELEASE_DIR / name
        if not path.is_file():
            reason = f"{path.relative_to(REPO_ROOT)} is not built: run `make build-examples`"
            if os.environ.get("CI", "").lower() in ("true", "1"):
                pytest.fail(reason)
            pytest.skip(reason)
        return path

    return find


@pytest.fixture
def write_module(tmp_path: Path) -> Callable[[str, str], Path]:
    """`write_module(name, source)` -> path of `name.py` holding the dedented `source`."""

    def write(name: str, source: str) -> Path:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        return path

    return write


def _same_json(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture
def same_json() -> Callable[[object, object], bool]:
    """Equal JSON values of the same types, key order included (1 is not 1.0, True is not 1)."""
    return _same_json


@pytest.fixture(scope="session")
def built_module() -> Callable[[str], object]:
    """`built_module("echo")` imports target/release/libecho.so (built by `make build-examples`)."""
    import importlib
    import sys

    def load(name: str):
        path = RELEASE_DIR / f"lib{name}.so"
        if not path.is_file():
            pytest.fail(f"{path} is not built: run `make build-examples`")
        if str(RELEASE_DIR) not in sys.path:
            sys.path.insert(0, str(RELEASE_DIR))
        return importlib.import_module(f"lib{name}")

    return load


@pytest.fixture(scope="module")
def echo(built_module):
    """`libecho.handler`: Python → `serde_json::Value` → Python."""
    return built_module("echo").handler


@pytest.fixture(scope="module")
def probe(built_module):
    """`libprobe`: one handler per conversion rule (tests/probe)."""
    return built_module("probe")
