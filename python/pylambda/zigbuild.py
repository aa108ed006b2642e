"""Run `cargo zigbuild` so the cdylib loads on Amazon Linux 2's glibc 2.26.

Three facts shape this module (measured; see DESIGN.md):
- A plain `cargo build` here asks for GLIBC_2.33 and links libgcc_s. `cargo-zigbuild`
  with `ziglang` (both from PyPI, in the tooling's venv) links against any glibc we
  name in the target triple's suffix, `x86_64-unknown-linux-gnu.2.26`.
- python3-sys's build script asks an interpreter for its version: `$PYTHON_SYS_EXECUTABLE`
  or else the first `python`/`python3` on PATH. We always set the variable, to the
  tooling's own interpreter when it is the runtime's version, or else to a small shim
  that answers for that version, so the build works where the version is not installed.
- That build script reruns when the variable changes but not when the interpreter
  behind it does, so each (runtime, arch, interpreter) gets its own CARGO_TARGET_DIR.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .runtimes import GLIBC_TARGET, Arch, Runtime, glibc_str


class BuildError(Exception):
    """A build that cannot go on; the message says what to do."""


@dataclass(frozen=True)
class Cdylib:
    package: str
    path: Path


@dataclass(frozen=True)
class Interpreter:
    path: Path
    how: str  # how it was chosen, for the build's log


def cargo_metadata(manifest_path: str | None) -> dict:
    cmd = ["cargo", "metadata", "--format-version", "1", "--no-deps"]
    if manifest_path:
        cmd += ["--manifest-path", manifest_path]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"`{' '.join(cmd)}` failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout)


def interpreter_version(path: str | os.PathLike[str]) -> tuple[int, int]:
    code = "import sys; print(*sys.version_info[:2])"
    result = subprocess.run([str(path), "-c", code], capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"cannot run {path}: {result.stderr.strip()}")
    major, minor = result.stdout.split()
    return int(major), int(minor)


def choose_interpreter(runtime: Runtime, override: str | None, shim_dir: Path) -> Interpreter:
    """The interpreter python3-sys will ask: an explicit one (checked), the tooling's
    own when it is the runtime's version, or a shim that answers for that version."""
    if override:
        # Absolute: cargo runs build scripts in each package's own directory.
        override = shutil.which(override) if os.sep not in override else os.path.abspath(override)
        if not override:
            raise BuildError("--python: no such interpreter on PATH")
        found = interpreter_version(override)
        if found != runtime.python:
            raise BuildError(
                f"--python {override} is CPython {found[0]}.{found[1]}, but {runtime.name} "
                f"needs {runtime.python_version}: pass a {runtime.python_version} "
                "interpreter or leave --python out (a shim then answers for it)"
            )
        return Interpreter(Path(override), "given with --python")
    if sys.version_info[:2] == runtime.python:
        return Interpreter(Path(sys.executable), "the tooling's own interpreter")
    return Interpreter(write_shim(shim_dir, runtime.python), "a shim (version not installed)")


def write_shim(directory: Path, version: tuple[int, int]) -> Path:
    """Write an executable that python3-sys's build script takes for CPython `version`.

    python3-sys runs `INTERPRETER -c CODE` twice: once for sys.executable and
    sys.version_info, once for sysconfig build flags (Py_DEBUG, WITH_THREAD...). The
    shim runs that code in the tooling's own CPython with version_info and executable
    replaced; the flags are those of a release CPython, as on every Lambda runtime.
    With `extension-module` nothing is linked, so no libpython of that version is needed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / f"python{version[0]}.{version[1]}-shim"
    text = f"""#!{sys.executable}
# Written by pylambda build: answers python3-sys's build script as CPython
# {version[0]}.{version[1]} would (see pylambda/zigbuild.py, write_shim).
import sys

if sys.argv[1:2] != ["-c"] or len(sys.argv) < 3:
    sys.exit("this is pylambda's python3-sys shim; it only runs `-c CODE`")
sys.version_info = ({version[0]}, {version[1]}, 0, "final", 0)
sys.executable = {str(shim)!r}
exec(compile(sys.argv[2], "<string>", "exec"), {{"__name__": "__main__"}})
"""
    if not shim.exists() or shim.read_text() != text:
        shim.write_text(text)
        shim.chmod(0o755)
    return shim


def find_cargo_zigbuild() -> str:
    beside = Path(sys.executable).parent / "cargo-zigbuild"
    found = str(beside) if beside.exists() else shutil.which("cargo-zigbuild")
    if not found:
        raise BuildError(
            "cargo-zigbuild is not installed: run `make setup` (it installs cargo-zigbuild "
            "and ziglang from PyPI into .venv) and use .venv/bin/python"
        )
    return found


def require_rust_target(arch: Arch) -> None:
    """Fail early, plainly, when the Rust toolchain cannot compile for `arch`."""
    try:
        sysroot = subprocess.run(
            ["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(f"cannot run rustc ({exc}): install Rust (https://rustup.rs)") from exc
    libdir = Path(sysroot, "lib", "rustlib", arch.triple, "lib")
    if not any(libdir.glob("libstd-*.rlib")):
        raise BuildError(
            f"--arch {arch.name} needs Rust's standard library for {arch.triple}, and "
            f"this toolchain ({sysroot}) does not have it. Add it where rustup can "
            f"download (`rustup target add {arch.triple}`) and build again; zig "
            f"already provides the linker and glibc {glibc_str(GLIBC_TARGET)} for it."
        )


def target_dir(base: str, runtime: Runtime, arch: Arch, interpreter: Interpreter | None) -> Path:
    name = f"{runtime.name}-{arch.name}"
    if interpreter is not None and interpreter.how == "given with --python":
        name += "-" + hashlib.sha256(str(interpreter.path).encode()).hexdigest()[:8]
    return Path(base, "pylambda", name)


def zigbuild(
    *,
    metadata: dict,
    manifest_path: str | None,
    packages: list[str],
    runtime: Runtime,
    arch: Arch,
    python: str | None,
) -> tuple[list[Cdylib], Interpreter]:
    """Build the cdylibs of `packages` (or cargo's default members) and return them.

    Several packages are built one cargo invocation each: cargo unifies the features of all the
    packages one invocation builds, so `-p echo -p hello` would give `hello` the optional
    dependencies `echo` enables (Tokio, mimalloc), and every artifact the size of the largest.
    """
    tool = find_cargo_zigbuild()
    tdir = target_dir(metadata["target_directory"], runtime, arch, None)
    interpreter = choose_interpreter(runtime, python, tdir)
    tdir = target_dir(metadata["target_directory"], runtime, arch, interpreter)
    triple = f"{arch.triple}.{glibc_str(GLIBC_TARGET)}"
    cmd = [tool, "zigbuild", "--release", "--lib", "--target", triple]
    cmd += ["--message-format=json-render-diagnostics"]
    if manifest_path:
        cmd += ["--manifest-path", manifest_path]
    env = dict(
        os.environ,
        CARGO_TARGET_DIR=str(tdir),
        PYTHON_SYS_EXECUTABLE=str(interpreter.path),
        CARGO_ZIGBUILD_PYTHON_PATH=sys.executable,
    )
    names = {pkg["id"]: pkg["name"] for pkg in metadata["packages"]}
    cdylibs: list[Cdylib] = []
    for selection in [["-p", package] for package in packages] or [[]]:
        print(
            f"pylambda build: {' '.join(cmd[1:] + selection)}\n"
            f"  PYTHON_SYS_EXECUTABLE={interpreter.path} ({interpreter.how}, "
            f"CPython {runtime.python_version})\n  CARGO_TARGET_DIR={tdir}",
            file=sys.stderr,
            flush=True,
        )
        cdylibs += _cargo_cdylibs(cmd + selection, env, names)
    if not cdylibs:
        raise BuildError(
            "the build produced no cdylib: give the function's package with -p, or set "
            'crate-type = ["cdylib"] under [lib] in its Cargo.toml'
        )
    return cdylibs, interpreter


def _cargo_cdylibs(cmd: list[str], env: dict[str, str], names: dict[str, str]) -> list[Cdylib]:
    """Runs one cargo (zig)build and returns the cdylibs it reports."""
    cdylibs: list[Cdylib] = []
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            if message.get("reason") != "compiler-artifact":
                continue
            if "cdylib" not in message["target"]["crate_types"]:
                continue
            for filename in message["filenames"]:
                if filename.endswith(".so"):
                    package = names.get(message["package_id"], message["target"]["name"])
                    cdylibs.append(Cdylib(package, Path(filename)))
    if proc.returncode != 0:
        raise BuildError(f"cargo zigbuild failed (exit {proc.returncode}); see its output above")
    return cdylibs
