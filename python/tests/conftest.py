"""Fixtures shared by the pytest suites.

- `release_artifact(name)`: a built example under target/release, or a skip saying how to build it.
- `write_module(name, source)`: a Python handler module in a temporary directory, for emulator
  tests that need a function without building Rust.
- `same_json(a, b)`: JSON values equal *and* of the same Python types all the way down.
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
