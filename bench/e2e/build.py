"""Build the four systems' deployment zips into bench/e2e/dist/ (release, glibc 2.26).

    .venv/bin/python bench/e2e/build.py [--python .cache/venvs/3.12/bin/python]

Every Rust artifact is built the same way, with cargo-zigbuild for glibc 2.26 and the same
release profile (fat LTO, one codegen unit, symbols stripped), so sizes compare like for like:

- pylambda's `examples/echo` and `examples/hello`: `python -m pylambda build`, as users build;
- the crowbar-style cdylib: the same zigbuild and zip writer, without `build`'s final check
  (rust-cpython imports `_PyUnicode_Ready`, outside the stable ABI, so `check` refuses it for
  python3.12+; it is run under the venv's CPython 3.11, where it loads);
- the `lambda_runtime` echo: its binary zipped as `bootstrap`, as `cargo lambda build
  --output-format zip` lays out a provided.al2023 function;
- the Python echo: `echo.py` zipped alone;
- the breakdown's prototypes (`proto_echo_*`), like the crowbar-style cdylib.

Rust crates of this workspace are built one cargo invocation each: cargo unifies features
within one, and the prototypes ask pylambda for different ones.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from pylambda.packaging import write_zip
from pylambda.runtimes import ARCHES, DEFAULT_ARCH, GLIBC_TARGET, RUNTIMES, glibc_str
from pylambda.zigbuild import cargo_metadata, find_cargo_zigbuild, interpreter_version, zigbuild

from systems import DIST, HERE, PROTOTYPES

REPO = HERE.parent.parent
MANIFEST = str(HERE / "Cargo.toml")


def build_pylambda() -> None:
    cmd = [sys.executable, "-m", "pylambda", "build", "-p", "echo", "-p", "hello"]
    subprocess.run(cmd + ["--out", str(DIST)], cwd=REPO, check=True)


def build_cdylib(package: str, extra: list[str] = (), python: str | None = None) -> None:
    """One cdylib of this workspace, zipped as `pylambda build` zips (without its check),
    with the `extra` files of functions/ beside it; `python` configures python3-sys for
    another CPython than 3.11 (the zip's name then says which, as `bench.py --python` expects).
    """
    arch = ARCHES[DEFAULT_ARCH]
    runtime, tag = RUNTIMES["python3.11"], ""
    if python:
        major, minor = interpreter_version(python)
        runtime, tag = RUNTIMES[f"python{major}.{minor}"], f"-cp{major}{minor}"
    cdylibs, _ = zigbuild(
        metadata=cargo_metadata(MANIFEST),
        manifest_path=MANIFEST,
        packages=[package],
        runtime=runtime,
        arch=arch,
        python=python,
    )
    (cdylib,) = cdylibs
    files = [cdylib.path] + [HERE / "functions" / name for name in extra]
    print(write_zip(DIST / f"{package}-{arch.name}{tag}.zip", files))


def build_runtime_echo() -> None:
    arch = ARCHES[DEFAULT_ARCH]
    triple = f"{arch.triple}.{glibc_str(GLIBC_TARGET)}"
    cmd = [find_cargo_zigbuild(), "zigbuild", "--release", "--target", triple]
    cmd += ["--manifest-path", MANIFEST, "-p", "runtime_echo"]
    env = dict(os.environ, CARGO_ZIGBUILD_PYTHON_PATH=sys.executable)
    print(" ".join(cmd[1:]), file=sys.stderr, flush=True)
    subprocess.run(cmd, env=env, check=True)
    binary = HERE / "target" / arch.triple / "release" / "bootstrap"
    print(write_zip(DIST / "runtime_echo.zip", [binary]))


def build_python_echo() -> None:
    print(write_zip(DIST / "python_echo.zip", [HERE / "functions" / "echo.py"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python",
        help="also build the crowbar-style cdylib for this CPython (for `bench.py --python`)",
    )
    args = parser.parse_args()
    DIST.mkdir(exist_ok=True)
    if args.python:
        build_cdylib("crowbar_echo", python=os.path.abspath(args.python))
    build_python_echo()
    build_pylambda()
    build_cdylib("crowbar_echo")
    build_runtime_echo()
    for prototype, extra in PROTOTYPES.items():
        build_cdylib(prototype, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
