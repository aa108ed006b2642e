"""Fixtures shared by the pytest suites.

- `release_artifact(name)`: a built example under target/release, or a skip saying how to build it.
- `write_module`: writes a Python handler module into a temporary directory, for emulator tests
  that need a function without building Rust.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASE_DIR = REPO_ROOT / "target" / "release"
EVENTS_DIR = REPO_ROOT / "python" / "pylambda" / "events"


def release_artifact(name: str) -> Path:
    """target/release/<name> (e.g. `libecho.so`); skips the test when it has not been built.

    `make test` builds every example first (`test-python` depends on `build-examples`), so the
    skip only happens when pytest is run by hand before a build.
    """
    path = RELEASE_DIR / name
    if not path.is_file():
        pytest.skip(f"{path.relative_to(REPO_ROOT)} is not built: run `make build-examples`")
    return path


@pytest.fixture
def write_module(tmp_path: Path) -> Callable[[str, str], Path]:
    """`write_module(name, source)` -> path of `name.py` holding the dedented `source`."""

    def write(name: str, source: str) -> Path:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        return path

    return write
