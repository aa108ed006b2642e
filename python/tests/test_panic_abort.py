"""A function built with `panic = "abort"` (a common release setting for Rust binaries).

Nothing unwinds then, so no panic can be caught and turned into a `RustPanic` error: the
module warns at import, and a panic ends the runtime's process, which Lambda (and the emulator)
reports as `Runtime.ExitError` before starting a new process for the next event. The build
below is `examples/errors` with `CARGO_PROFILE_RELEASE_PANIC=abort`, in its own target
directory (about a minute on 2 cores the first time).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pylambda.emulator import Function

REPO_ROOT = Path(__file__).resolve().parents[2]
WARNING = 'liberrors was built with panic = "abort": a panic in a handler will end this process'


@pytest.fixture(scope="module")
def abort_build() -> Path:
    target = REPO_ROOT / "target" / "panic-abort"
    env = dict(os.environ, CARGO_PROFILE_RELEASE_PANIC="abort", CARGO_TARGET_DIR=str(target))
    subprocess.run(
        ["cargo", "build", "--release", "--lib", "-p", "errors"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    return target / "release" / "liberrors.so"


def import_module(module: Path, warnings: str) -> subprocess.CompletedProcess:
    """Imports the module in a fresh interpreter with the warnings filter `-W warnings`."""
    code = f"import sys; sys.path.insert(0, {str(module.parent)!r}); import liberrors"
    return subprocess.run(
        [sys.executable, "-W", warnings, "-c", code], capture_output=True, text=True
    )


def test_importing_an_abort_build_warns(abort_build):
    imported = import_module(abort_build, "always")
    assert imported.returncode == 0, imported.stderr
    assert f"RuntimeWarning: {WARNING}" in imported.stderr


def test_importing_an_unwind_build_does_not_warn(release_artifact):
    imported = import_module(release_artifact("liberrors.so"), "always")
    assert imported.returncode == 0 and imported.stderr == "", imported.stderr


def test_a_warning_turned_into_an_error_fails_the_import(abort_build):
    imported = import_module(abort_build, "error::RuntimeWarning")
    assert imported.returncode == 1
    assert f"ImportError: RuntimeWarning: {WARNING}" in imported.stderr


def test_a_panic_in_an_abort_build_ends_the_process_and_the_next_event_gets_a_new_one(
    abort_build,
):
    with Function(abort_build, "liberrors.panic") as fn:
        first = fn.invoke(b'{"name": "abort"}')
        second = fn.invoke(b'{"name": "abort"}')
    for result in (first, second):
        assert result.error_type == "Runtime.ExitError", result
        assert "Runtime exited with error: signal: aborted" in result.json()["errorMessage"]
        assert result.cold and result.pid is None  # each event started a process that died
    assert WARNING in first.logs  # the import's warning, in the function's logs
    assert "panicked at" in first.logs  # Rust's panic message reaches the logs before the abort
