"""`pylambda check` refuses each kind of artifact that would fail on Lambda.

Every bad artifact is a real shared object, compiled here with gcc (zig for aarch64) from a few
lines of C, so each rule is tested against what a linker really writes rather than a mock.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from pylambda import elfcheck
from pylambda.artifact import check_artifact
from pylambda.cli import main
from pylambda.packaging import write_zip

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")

# A correct extension module in C, limited to CPython 3.11's stable ABI.
GOOD = r"""
#define Py_LIMITED_API 0x030B0000
#include <Python.h>

static PyObject *handler(PyObject *self, PyObject *args) {
    PyObject *event, *context;
    if (!PyArg_UnpackTuple(args, "handler", 2, 2, &event, &context)) return NULL;
    Py_IncRef(event);
    return event;
}
static PyMethodDef methods[] = {{"handler", handler, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "libgood", NULL, -1, methods};
PyMODINIT_FUNC PyInit_libgood(void) { return PyModule_Create(&def); }
"""

# Internals a binding may reach for: not in the 3.11 stable ABI.
NON_STABLE = r"""
#include <stddef.h>
extern int _PyLong_AsByteArray(void *v, unsigned char *bytes, size_t n, int little, int sign);
extern const char *PyUnicode_AsUTF8(void *unicode);
int uses_internals(void *o, unsigned char *b) {
    return _PyLong_AsByteArray(o, b, 8, 1, 1) + (PyUnicode_AsUTF8(o) != NULL);
}
"""

# pthread_create moved into libc in glibc 2.34: a plain build on a newer glibc asks for it.
NEEDS_GLIBC_2_34 = r"""
#include <pthread.h>
static void *run(void *arg) { return arg; }
int start(pthread_t *t) { return pthread_create(t, NULL, run, NULL); }
"""

# arc4random arrived in glibc 2.36: newer than even Amazon Linux 2023 (2.34).
NEEDS_GLIBC_2_36 = r"""
#include <stdlib.h>
unsigned int roll(void) { return arc4random(); }
"""


def cc(
    tmp: Path,
    name: str,
    *sources: str,
    flags: tuple[str, ...] = (),
    compiler: tuple[str, ...] = ("gcc",),
) -> Path:
    """Compile C sources into the shared object `tmp/name` with the host's gcc (or `compiler`)."""
    tmp.mkdir(parents=True, exist_ok=True)
    files = []
    for index, text in enumerate(sources):
        src = tmp / f"{name}.{index}.c"
        src.write_text(text)
        files.append(str(src))
    out = tmp / name
    include = sysconfig.get_paths()["include"]
    cmd = [*compiler, "-shared", "-fPIC", "-O1", f"-I{include}", "-o", str(out), *files, *flags]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return cc(tmp_path, "libgood.so", GOOD)


def codes(report) -> set[str]:
    return {problem.code for problem in report.problems}


def message(report, code: str) -> str:
    return next(p.message for p in report.problems if p.code == code)


def test_good_module_passes_and_really_imports(good: Path) -> None:
    report = check_artifact(good)
    assert report.ok, report.render()
    code = "import libgood; print(libgood.handler({'a': [1, 2.5]}, None))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=good.parent, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "{'a': [1, 2.5]}"


def test_zip_of_good_module_passes(good: Path, tmp_path: Path) -> None:
    zipped = write_zip(tmp_path / "good.zip", [good])
    report = check_artifact(zipped, "python3.11")
    assert report.ok, report.render()
    assert any("handler libgood.handler" in fact for fact in report.facts)


def test_refuses_linked_libpython(tmp_path: Path) -> None:
    # A stand-in libpython with the real soname: the NEEDED entry is what matters.
    stub = cc(
        tmp_path, "libpython3.11.so", "int Py_Stub;", flags=("-Wl,-soname,libpython3.11.so.1.0",)
    )
    bad = cc(
        tmp_path,
        "libgood.so",
        GOOD,
        flags=(f"-L{stub.parent}", "-Wl,--no-as-needed", "-lpython3.11"),
    )
    report = check_artifact(bad)
    assert codes(report) == {"libpython"}, report.render()
    assert "libpython3.11.so.1.0" in message(report, "libpython")
    assert "extension-module" in message(report, "libpython")


def test_refuses_libgcc_s(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libgood.so", GOOD, flags=("-Wl,--no-as-needed", "-lgcc_s"))
    report = check_artifact(bad)
    assert codes(report) == {"libgcc_s"}, report.render()
    assert "pylambda build" in message(report, "libgcc_s")


def test_refuses_wrong_pyinit_name(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libecho.so", GOOD)  # defines PyInit_libgood
    report = check_artifact(bad)
    assert codes(report) == {"pyinit"}, report.render()
    text = message(report, "pyinit")
    assert "PyInit_libecho" in text and "PyInit_libgood" in text and "libgood.so" in text


def test_refuses_missing_pyinit(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libnothing.so", "int nothing(void) { return 0; }")
    report = check_artifact(bad)
    assert codes(report) == {"pyinit"}
    assert "no PyInit_ function" in message(report, "pyinit")


def test_refuses_symbols_outside_stable_abi(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libgood.so", GOOD, NON_STABLE)
    report = check_artifact(bad)
    assert codes(report) == {"abi"}, report.render()
    text = message(report, "abi")
    assert "_PyLong_AsByteArray" in text and "PyUnicode_AsUTF8" in text
    assert "PyUnicode_AsUTF8AndSize" in text  # the hint for the stable replacement


def test_refuses_glibc_newer_than_amazon_linux_2(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libgood.so", GOOD, NEEDS_GLIBC_2_34, flags=("-pthread",))
    if (2, 34) not in elfcheck.read_elf(bad.read_bytes()).glibc:
        pytest.skip("this machine's glibc predates 2.34, so gcc cannot make the bad artifact")
    for runtime in (None, "python3.11"):
        report = check_artifact(bad, runtime)
        assert codes(report) == {"glibc"}, report.render()
        text = message(report, "glibc")
        assert "GLIBC_2.34" in text and "pthread_create" in text and "2.26" in text
        assert "Amazon Linux 2" in text and "pylambda build" in text
    # Amazon Linux 2023 has glibc 2.34: the same file is fine for python3.12.
    assert check_artifact(bad, "python3.12").ok


def test_refuses_glibc_newer_than_amazon_linux_2023(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libgood.so", GOOD, NEEDS_GLIBC_2_36)
    if (2, 36) not in elfcheck.read_elf(bad.read_bytes()).glibc:
        pytest.skip("this machine's glibc predates 2.36 (arc4random)")
    report = check_artifact(bad, "python3.13")
    assert codes(report) == {"glibc"}
    assert "GLIBC_2.36" in message(report, "glibc") and "Amazon Linux 2023" in message(
        report, "glibc"
    )


def zig_cc(target: str) -> tuple[str, ...]:
    """zig's C compiler (ziglang, from the tooling's venv, as `pylambda build` uses it) for
    `target`, e.g. `aarch64-linux-gnu.2.26`: an arch and a glibc version gcc cannot reach here."""
    return (sys.executable, "-m", "ziglang", "cc", "-target", target)


def test_arm64_modules_are_recognised_and_their_glibc_read(tmp_path: Path) -> None:
    """What `build --arch arm64` makes (this machine's Rust has no aarch64 std to make it) is
    checked too: its own ELF machine and aarch64's symbol versions, in modules zig links for
    aarch64 at Amazon Linux 2's glibc and at 2.34."""
    good = cc(tmp_path, "libgood.so", GOOD, compiler=zig_cc("aarch64-linux-gnu.2.26"))
    facts = elfcheck.read_elf(good.read_bytes())
    assert facts.machine == "EM_AARCH64", facts
    report = check_artifact(good, "python3.11")
    assert report.ok, report.render()
    assert "libgood.so: arm64 (EM_AARCH64)" in report.facts
    bad = cc(
        tmp_path / "2.34",
        "libgood.so",
        GOOD,
        NEEDS_GLIBC_2_34,
        compiler=zig_cc("aarch64-linux-gnu.2.34"),
    )
    report = check_artifact(bad, "python3.11")
    assert codes(report) == {"glibc"}, report.render()
    assert "GLIBC_2.34" in message(report, "glibc") and "pthread_create" in message(report, "glibc")
    assert check_artifact(bad, "python3.12").ok


def test_refuses_package_over_250_mb_unzipped(good: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(good, good.name)
        chunk = bytes(1 << 20)
        with archive.open("data.bin", "w", force_zip64=True) as member:
            for _ in range(250):
                member.write(chunk)
    assert big.stat().st_size < 2_000_000  # zeros deflate to almost nothing
    report = check_artifact(big)
    assert codes(report) == {"size"}, report.render()
    assert "250 MB" in message(report, "size")


def test_refuses_zip_without_module_at_root(good: Path, tmp_path: Path) -> None:
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        archive.write(good, f"lib/{good.name}")
    report = check_artifact(nested)
    assert codes(report) == {"no-module"}
    assert "lib/libgood.so" in message(report, "no-module")


def test_refuses_non_elf(tmp_path: Path) -> None:
    fake = tmp_path / "libfake.so"
    fake.write_text("not a shared object")
    assert codes(check_artifact(fake)) == {"not-elf"}


def test_reports_every_problem_at_once(tmp_path: Path) -> None:
    bad = cc(tmp_path, "libecho.so", GOOD, NON_STABLE, flags=("-Wl,--no-as-needed", "-lgcc_s"))
    assert codes(check_artifact(bad)) == {"pyinit", "abi", "libgcc_s"}


def test_cli_exit_codes(good: Path, tmp_path: Path, capsys) -> None:
    assert main(["check", str(good)]) == 0
    assert "ok for every supported runtime" in capsys.readouterr().out
    bad = cc(tmp_path, "libecho.so", GOOD)
    assert main(["check", str(bad), "--runtime", "python3.14"]) == 1
    out = capsys.readouterr().out
    assert "REFUSED for python3.14" in out and "[pyinit]" in out


def test_stable_abi_list_has_functions_and_data() -> None:
    abi = elfcheck.stable_abi("3.11")
    for symbol in ("PyModule_Create2", "PyTuple_GetItem", "Py_IncRef", "PyLong_Type"):
        assert symbol in abi
    for symbol in ("_Py_NoneStruct", "PyExc_TypeError", "PyUnicode_AsUTF8AndSize"):
        assert symbol in abi
    # internals, later additions, and Windows-only names stay out
    for symbol in ("_PyLong_AsByteArray", "PyUnicode_AsUTF8", "PyObject_Vectorcall"):
        assert symbol not in abi
    assert "PyErr_SetFromWindowsErr" not in abi
    assert 800 < len(abi) < 900


def test_module_name_follows_the_file_name() -> None:
    assert elfcheck.module_name("libecho.so") == "libecho"
    assert elfcheck.module_name("dist/libecho.cpython-311-x86_64-linux-gnu.so") == "libecho"
