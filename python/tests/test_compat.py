"""One artifact, every runtime: the zips `pylambda build` made once (zigbuild, glibc 2.26)
run unchanged under each CPython that Lambda offers, and load on an older glibc.

Run by `make test-compat`, which builds the examples and prepares the interpreters
(scripts/compat-env.sh), then sets PYLAMBDA_COMPAT_DIST to the zips' directory. Under
CPython 3.11-3.15 each example runs twice: through the real awslambdaric with the local
emulator (as Lambda runs it), and imported and called directly by compat_runner.py,
which compares the returned objects' exact types. CPython 3.14 and 3.15 (Lambda's python3.15,
in preview) come from a Debian sid chroot, glibc 2.31 from a Debian bullseye chroot.

A missing interpreter skips its tests with a message, except with
PYLAMBDA_STRICT_COMPAT=1 (set in CI), where it fails them.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pylambda.artifact import check_artifact
from pylambda.elfcheck import read_elf

DIST = os.environ.get("PYLAMBDA_COMPAT_DIST")
pytestmark = pytest.mark.skipif(
    not DIST, reason="compatibility suite: run `make test-compat` (it builds the examples first)"
)
STRICT = os.environ.get("PYLAMBDA_STRICT_COMPAT") == "1"
REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"
PYENV = Path(os.environ.get("PYENV_VERSIONS", Path.home() / ".pyenv" / "versions"))
RUNNER = Path(__file__).with_name("compat_runner.py")

# Interpreters with awslambdaric, by the Lambda runtime whose CPython they are.
LAMBDA_PYTHONS = {
    "python3.11": Path(sys.executable) if sys.version_info[:2] == (3, 11) else None,
    "python3.12": CACHE / "venvs" / "3.12" / "bin" / "python",
    "python3.13": CACHE / "venvs" / "3.13" / "bin" / "python",
    "python3.14": CACHE / "chroot" / "sid-python3.14",
    "python3.15": CACHE / "chroot" / "sid-python3.15",
}
BULLSEYE = CACHE / "chroot" / "bullseye-python3.9"

# Events the echo handler must return unchanged, types and key order included.
SAMPLES: list = [
    {},
    [],
    "",
    'héllo ☃ 𝄞 \u0000 \\ "',
    0,
    -1,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    1.5,
    -0.0,
    1e300,
    5e-324,
    True,
    False,
    None,
    {"z": 1, "a": 2, "m": [3, 4.0, "5", None, True, {"deep": [[[]]]}]},
    {"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "a b.txt", "size": 3}}}]},
    [{"n": i, "f": i / 4, "s": str(i)} for i in range(50)],
]


def need(condition: object, why: str) -> None:
    if not condition:
        if STRICT:
            pytest.fail(f"{why} (PYLAMBDA_STRICT_COMPAT=1: nothing may be skipped)")
        pytest.skip(why)


def interpreter(runtime: str) -> str:
    path = LAMBDA_PYTHONS[runtime]
    need(path is not None and path.exists(), f"no interpreter for {runtime} ({path})")
    return str(path)


def zip_of(example: str) -> Path:
    path = Path(DIST) / f"{example}-x86_64.zip"
    need(path.exists(), f"{path} was not built (is examples/{example} in the workspace?)")
    return path


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> Path:
    """The built .so files, unzipped together, for direct imports."""
    where = tmp_path_factory.mktemp("modules")
    for example in ("echo", "errors"):
        with zipfile.ZipFile(zip_of(example)) as archive:
            archive.extractall(where)
    return where


@pytest.fixture(scope="module")
def samples_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("samples") / "samples.json"
    path.write_text(json.dumps(SAMPLES))
    return path


def run_runner(python: str, modules: Path, samples: Path, cwd: Path) -> dict:
    result = subprocess.run(
        [python, str(RUNNER), str(modules), str(samples)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert result.returncode == 0, (
        f"{python} exited {result.returncode}"
        + (" (killed by a signal: a crash)" if result.returncode < 0 else "")
        + f"\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return json.loads(result.stdout)


def same(a, b) -> bool:
    """JSON values equal with the same types and key order (1 is not 1.0 is not True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


# --- the artifacts themselves ---------------------------------------------------------


@pytest.mark.parametrize("example", ["echo", "errors", "hello"])
def test_artifact_passes_check_with_glibc_at_most_2_26(example: str) -> None:
    artifact = zip_of(example)
    report = check_artifact(artifact, "python3.11")
    assert report.ok, report.render()
    with zipfile.ZipFile(artifact) as archive:
        (name,) = archive.namelist()
        facts = read_elf(archive.read(name))
    assert facts.max_glibc is not None and facts.max_glibc <= (2, 26)
    assert not [lib for lib in facts.needed if lib.startswith(("libpython", "libgcc_s"))]


def test_hello_zip_is_under_400_kb() -> None:
    size = zip_of("hello").stat().st_size
    assert size < 400 * 1024, f"hello zip is {size:,} bytes"


def test_same_so_whichever_python_configured_the_build() -> None:
    """make test-compat also builds echo with PYTHON_SYS_EXECUTABLE = pyenv's CPython 3.13
    (a real interpreter, not the shim): python3-sys then sees Py_3_12 and Py_3_13 cfgs,
    yet a crate that calls only stable C-API functions must come out byte-identical."""
    other = Path(DIST) / "py313" / "echo-x86_64.zip"
    need(other.exists(), f"{other} was not built (needs pyenv's CPython 3.13)")
    with zipfile.ZipFile(zip_of("echo")) as a, zipfile.ZipFile(other) as b:
        first, second = a.read("libecho.so"), b.read("libecho.so")
    if first != second:
        differing = sum(x != y for x, y in zip(first, second, strict=False))
        pytest.fail(
            f"libecho.so differs: {len(first):,} vs {len(second):,} bytes, "
            f"{differing:,} differing bytes in the common length"
        )


# --- CPython 3.11-3.15 through the real awslambdaric ------------------------------------


@pytest.mark.parametrize("runtime", sorted(LAMBDA_PYTHONS))
def test_echo_through_awslambdaric(runtime: str) -> None:
    from pylambda.emulator import Function

    python = interpreter(runtime)
    with Function(zip_of("echo"), python=python, timeout=10) as fn:
        pid = None
        for sample in SAMPLES:
            result = fn.invoke(json.dumps(sample).encode())
            assert result.ok, (sample, result)
            assert same(json.loads(result.payload), sample), (sample, result.payload)
            pid = pid or fn.pid
            assert fn.pid == pid  # one warm process served them all


@pytest.mark.parametrize("runtime", sorted(LAMBDA_PYTHONS))
def test_errors_through_awslambdaric(runtime: str) -> None:
    from pylambda.emulator import Function

    python = interpreter(runtime)
    artifact = zip_of("errors")
    with Function(artifact, "liberrors.ok", python=python, timeout=10) as fn:
        assert fn.invoke(b'{"name": "compat"}').ok
    with Function(artifact, "liberrors.fail", python=python, timeout=10) as fn:
        result = fn.invoke(b'{"name": "compat"}')
        assert not result.ok and result.json()["errorType"] == "ValidationError", result
    with Function(artifact, "liberrors.panic", python=python, timeout=10) as fn:
        first = fn.invoke(b'{"name": "compat"}')
        pid = fn.pid
        second = fn.invoke(b'{"name": "compat"}')
        # A panic is a Lambda error, not a crash: the same process answers again.
        for result in (first, second):
            assert not result.ok and result.json()["errorType"], result
        assert fn.pid == pid, "the runtime process died after a panic"


# --- CPython 3.11-3.15, imported and called directly -------------------------------------


def assert_unsupported_types_named(report: dict) -> None:
    """Unconvertible objects are refused naming the path and the type (`__module__` read
    through `type`'s own getters, which every version has)."""
    user_class, builtin = report["unsupported"]
    assert user_class["type"] == builtin["type"] == "TypeError", report["unsupported"]
    assert user_class["message"].startswith("x: object of type __main__.Opaque cannot be converted")
    assert builtin["message"].startswith("tags[1]: object of type set cannot be converted")


def assert_collector_paused(report: dict) -> None:
    """No garbage collection starts while the engine converts (with the threshold at 1, any
    container allocated with the collector on starts one): `PyGC_Disable` on 3.10+, the `gc`
    module's own switches on 3.6-3.9 (where this counted 302 collections before). Nothing
    else in the call raises and clears an exception either: on 3.6 the logging bridge's read
    of `Manager._disable` (3.7+) did, and the exception object started a collection. With
    awslambdaric's context the pause lasts until the context is freed (src/ffi/gc.rs)."""
    runtime_context = report["context"] == "awslambdaric"
    expected = {
        "during": 0,
        "enabled_after_call": not runtime_context,
        "enabled_after_invocation": True,
        "same": True,
    }
    assert report["collector"] == expected, report


@pytest.mark.parametrize("runtime", sorted(LAMBDA_PYTHONS))
def test_direct_calls_keep_types(runtime: str, modules: Path, samples_file: Path) -> None:
    report = run_runner(interpreter(runtime), modules, samples_file, modules)
    assert report["context"] == "awslambdaric"
    assert f"python{report['version'][0]}.{report['version'][1]}" == runtime
    wrong = [(s, r) for s, r in zip(SAMPLES, report["echo"], strict=True) if r is not True]
    assert not wrong, wrong
    errors = report["errors"]
    assert errors["ok"]["ok"], errors
    assert errors["fail"] == {**errors["fail"], "ok": False, "type": "ValidationError"}
    assert not errors["panic"]["ok"] and not errors["panic_again"]["ok"]
    assert errors["ok_after_panic"]["ok"], errors
    assert_unsupported_types_named(report)
    assert_collector_paused(report)


# --- older systems ------------------------------------------------------------------------


def test_loads_under_bullseye_glibc_2_31(modules: Path, samples_file: Path) -> None:
    """Debian bullseye (glibc 2.31, older than the build machine's 2.36) imports the zig-built
    modules with its CPython 3.9 and runs echo: a plain `cargo build` fails right here with
    `GLIBC_2.33 not found`."""
    need(BULLSEYE.exists(), f"no bullseye chroot ({BULLSEYE}): run scripts/compat-env.sh")
    probe = "import platform; print(platform.libc_ver()[1])"
    libc = subprocess.run(
        [str(BULLSEYE), "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert libc == "2.31"
    report = run_runner(str(BULLSEYE), modules, samples_file, modules)
    assert report["version"][:2] == [3, 9]
    assert all(r is True for r in report["echo"]), report["echo"]
    assert_unsupported_types_named(report)
    assert_collector_paused(report)


def test_bullseye_refuses_a_module_that_needs_a_newer_glibc(tmp_path: Path) -> None:
    """The control for the test above: the chroot really is glibc 2.31. A module that asks
    for GLIBC_2.34 (pthread_create, as any plain build on this machine does) fails there."""
    need(BULLSEYE.exists(), f"no bullseye chroot ({BULLSEYE}): run scripts/compat-env.sh")
    source = tmp_path / "libnew.c"
    source.write_text(
        "#include <pthread.h>\n"
        "static void *run(void *a) { return a; }\n"
        "int start(pthread_t *t) { return pthread_create(t, 0, run, 0); }\n"
        "void *PyInit_libnew(void) { return 0; }\n"
    )
    built = tmp_path / "libnew.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-pthread", "-o", str(built), str(source)], check=True
    )
    result = subprocess.run(
        [str(BULLSEYE), "-c", "import libnew"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode != 0
    assert "GLIBC_2.34' not found" in result.stderr, result.stderr


def pyenv_python(version: str) -> Path | None:
    found = sorted(PYENV.glob(f"{version}.*/bin/python{version}"))
    return found[-1] if found else None


def test_cpython_3_6(modules: Path, samples_file: Path) -> None:
    """The design's original target. awslambdaric needs 3.10+, so the runner uses a stand-in
    context; the entry point picks its calling convention at run time to serve 3.6."""
    python = pyenv_python("3.6")
    need(python, f"no CPython 3.6 under {PYENV}")
    report = run_runner(str(python), modules, samples_file, modules)
    assert report["version"][:2] == [3, 6] and report["context"] == "fake"
    wrong = [(s, r) for s, r in zip(SAMPLES, report["echo"], strict=True) if r is not True]
    assert not wrong, wrong
    assert_unsupported_types_named(report)
    assert_collector_paused(report)
