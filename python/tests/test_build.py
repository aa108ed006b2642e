"""`pylambda build`: the shim python3-sys asks, deterministic zips, plain failures, and
one end-to-end build of a dependency-free cdylib written into a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pylambda import zigbuild
from pylambda.cli import main
from pylambda.packaging import write_zip
from pylambda.runtimes import ARCHES, RUNTIMES

# python3-sys 0.7.2's build.rs, verbatim: the first question it asks the interpreter.
PYTHON3_SYS_QUESTION = (
    "import sys; import sysconfig; print(sys.executable); "
    "print(sys.version_info[0:2]); "
    "print(sysconfig.get_config_var('LIBDIR')); "
    "print(sysconfig.get_config_var('Py_ENABLE_SHARED')); "
    "print(sysconfig.get_config_var('LDVERSION') or '%s%s' % "
    "(sysconfig.get_config_var('py_version_short'), sysconfig.get_config_var('DEBUG_EXT') or '')); "
    "print(sys.exec_prefix);"
)


def test_shim_answers_for_a_version_that_is_not_installed(tmp_path: Path) -> None:
    shim = zigbuild.write_shim(tmp_path, (3, 14))
    out = subprocess.run(
        [str(shim), "-c", PYTHON3_SYS_QUESTION], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # python3-sys then re-runs the path it is given as sys.executable: the shim itself.
    assert out[0] == str(shim)
    assert out[1] == "(3, 14)"
    # ... and asks it for sysconfig build flags, which must come back one per line.
    flags = "import sysconfig; c = sysconfig.get_config_vars(); print(c.get('Py_DEBUG', 0))"
    assert subprocess.run([str(shim), "-c", flags], capture_output=True, text=True).stdout == "0\n"


def test_interpreter_choice(tmp_path: Path) -> None:
    own = RUNTIMES[f"python3.{sys.version_info[1]}"]
    assert zigbuild.choose_interpreter(own, None, tmp_path).path == Path(sys.executable)
    other = next(rt for rt in RUNTIMES.values() if rt.python != sys.version_info[:2])
    chosen = zigbuild.choose_interpreter(other, None, tmp_path)
    assert chosen.how.startswith("a shim") and chosen.path.parent == tmp_path
    with pytest.raises(zigbuild.BuildError, match="--python"):
        zigbuild.choose_interpreter(other, sys.executable, tmp_path)
    # A relative --python is made absolute: cargo runs build scripts in other directories.
    relative = os.path.relpath(sys.executable)
    given = zigbuild.choose_interpreter(own, relative, tmp_path)
    assert given.path.is_absolute() and given.how == "given with --python"


def test_zip_is_deterministic_with_the_module_at_its_root(tmp_path: Path) -> None:
    so = tmp_path / "libx.so"
    so.write_bytes(b"\x7fELF" + bytes(1000))
    first = write_zip(tmp_path / "a" / "x.zip", [so]).read_bytes()
    os.utime(so, (1_000_000_000, 1_000_000_000))
    second = write_zip(tmp_path / "b" / "x.zip", [so]).read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / "x.zip") as archive:
        (info,) = archive.infolist()
    assert info.filename == "libx.so"
    assert info.date_time == (1980, 1, 1, 0, 0, 0)
    assert info.external_attr >> 16 == 0o100755


def test_arm64_fails_plainly_without_the_aarch64_std(capsys) -> None:
    sysroot = subprocess.run(
        ["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if any(Path(sysroot, "lib/rustlib", ARCHES["arm64"].triple, "lib").glob("libstd-*")):
        pytest.skip("this toolchain has the aarch64 target")
    assert main(["build", "--arch", "arm64"]) == 1
    err = capsys.readouterr().err
    assert "aarch64-unknown-linux-gnu" in err and "rustup target add" in err


# A cdylib with the C API declared by hand: no crates to fetch, seconds to build, and
# still a real module (METH_VARARGS handler returning its first argument).
FIXTURE_CARGO = """\
[package]
name = "tiny"
version = "0.1.0"
edition = "2021"

[lib]
name = "tiny"
crate-type = ["cdylib"]

[profile.release]
panic = "unwind"

[workspace]
"""

FIXTURE_LIB = r"""
use std::os::raw::{c_char, c_int, c_void};
use std::ptr::null_mut;

type Obj = *mut c_void;
extern "C" {
    fn PyModule_Create2(def: *mut ModuleDef, apiver: c_int) -> Obj;
    fn PyTuple_GetItem(tuple: Obj, index: isize) -> Obj;
    fn Py_IncRef(o: Obj);
}

#[repr(C)]
struct MethodDef { name: *const c_char, meth: *const c_void, flags: c_int, doc: *const c_char }
#[repr(C)]
struct ModuleDef {
    refcnt: isize, ob_type: *mut c_void, init: *mut c_void, index: isize, copy: *mut c_void,
    name: *const c_char, doc: *const c_char, size: isize, methods: *mut MethodDef,
    slots: *mut c_void, traverse: *mut c_void, clear: *mut c_void, free: *mut c_void,
}

unsafe extern "C" fn handler(_module: Obj, args: Obj) -> Obj {
    let event = PyTuple_GetItem(args, 0);
    if !event.is_null() { Py_IncRef(event); }
    event
}

static mut METHODS: [MethodDef; 2] = [
    MethodDef { name: c"handler".as_ptr(), meth: handler as *const c_void, flags: 1, doc: 0 as _ },
    MethodDef { name: 0 as _, meth: 0 as _, flags: 0, doc: 0 as _ },
];
static mut DEF: ModuleDef = ModuleDef {
    refcnt: 1, ob_type: 0 as _, init: 0 as _, index: 0, copy: 0 as _,
    name: c"libtiny".as_ptr(), doc: 0 as _, size: -1, methods: 0 as _,
    slots: 0 as _, traverse: 0 as _, clear: 0 as _, free: 0 as _,
};

#[no_mangle]
pub unsafe extern "C" fn PyInit_libtiny() -> Obj {
    let def = &raw mut DEF;
    (*def).methods = (&raw mut METHODS).cast();
    let module = PyModule_Create2(def, 3);
    if module.is_null() { null_mut() } else { module }
}
"""


@pytest.mark.skipif(
    not (Path(sys.executable).parent / "cargo-zigbuild").exists() or not shutil.which("cargo"),
    reason="needs cargo and the venv's cargo-zigbuild (make setup)",
)
def test_build_end_to_end(tmp_path: Path, capsys) -> None:
    crate = tmp_path / "tiny"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(FIXTURE_CARGO)
    (crate / "src" / "lib.rs").write_text(FIXTURE_LIB)
    out = tmp_path / "dist"
    args = ["build", "--manifest-path", str(crate / "Cargo.toml"), "--out", str(out)]
    assert main(args) == 0, capsys.readouterr()
    printed = capsys.readouterr().out
    assert "handler: libtiny.handler" in printed and "ok for python3.11" in printed
    zipped = out / "tiny-x86_64.zip"
    first = zipped.read_bytes()
    # Built for python3.14 through the shim: python3-sys asks, the artifact is the same.
    assert main([*args, "--runtime", "python3.14"]) == 0
    assert zipped.read_bytes() == first
    # The zip's module imports and answers in this interpreter.
    with zipfile.ZipFile(zipped) as archive:
        assert archive.namelist() == ["libtiny.so"]
        archive.extractall(tmp_path / "task")
    code = "import libtiny; print(libtiny.handler({'k': [1, None]}, None))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path / "task", capture_output=True, text=True
    )
    assert result.stdout.strip() == "{'k': [1, None]}", result.stderr


# --- Dockerfile: no Docker engine runs here, so check it statically, as far as that goes.

REPO = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = (REPO / "Dockerfile").read_text()
    joined = text.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_builds_from_the_lambda_base_image_for_each_runtime() -> None:
    instructions = dockerfile_instructions()
    defaults = [rest.split("=", 1) for word, rest in instructions if word == "ARG" and "=" in rest]
    default = dict(defaults)["RUNTIME"]
    assert f"python{default}" in RUNTIMES
    froms = [rest for word, rest in instructions if word == "FROM"]
    assert froms[0] == "public.ecr.aws/lambda/python:${RUNTIME} AS build"
    for word, rest in instructions:
        if word == "COPY" and not rest.startswith("--from"):
            source = rest.split()[0]
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {"target", ".venv", ".cache"} <= set(ignored)


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_dockerfile_runs_the_same_build_command(runtime: str) -> None:
    """Expand the Dockerfile's build line as the image's /bin/sh would, and parse what
    `python3 -m pylambda build` would get with this CLI's own parser."""
    (line,) = [rest for word, rest in dockerfile_instructions() if "-m pylambda build" in rest]
    assert line.startswith("python3 -m pylambda build ")
    script = (
        'python3() { printf "%s\\n" "$@"; }; '
        f"RUNTIME={runtime.removeprefix('python')}; PACKAGE=hello; ARCH=arm64; {line}"
    )
    argv = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert argv[:3] == ["-m", "pylambda", "build"]
    from pylambda.cli import build_parser

    parsed = build_parser().parse_args(argv[2:])
    assert (parsed.runtime, parsed.package, parsed.arch, parsed.out) == (
        runtime,
        ["hello"],
        "arm64",
        "/dist",
    )
    # An empty PACKAGE builds the root package: no stray `-p ""`.
    empty = script.replace("PACKAGE=hello", "PACKAGE=")
    argv = subprocess.run(["sh", "-c", empty], capture_output=True, text=True).stdout.split()
    assert "-p" not in argv
