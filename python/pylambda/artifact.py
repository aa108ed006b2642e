"""Decide whether an artifact (a `.so` or a deployment zip) will load on a Lambda
Python runtime, and say what to do when it will not.

Each rule below is one way a Rust extension module fails on Lambda that we have
seen or measured: too new a glibc (Amazon Linux 2 has 2.26), a linked libpython
(a second interpreter: `PyThreadState_Get: no current thread`), libgcc_s (one more
OS library to match, which zig's static unwinder makes unnecessary), an
entry point whose name does not match the file (ImportError at INIT), a C-API
symbol outside the stable ABI (missing or different on another CPython), or a
package over Lambda's unzipped size limit.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import elfcheck
from .runtimes import ARCHES, GLIBC_TARGET, RUNTIMES, UNZIPPED_LIMIT, Runtime, glibc_str

STABLE_ABI_VERSION = "3.11"
BUILD_HINT = "build it with `python -m pylambda build`, which links against glibc 2.26 via zig"

# Non-stable symbols a Rust binding commonly pulls in, and the stable-ABI call to use.
_ABI_HINTS = {
    "_PyLong_AsByteArray": "PyLong_AsLongLong / PyLong_AsUnsignedLongLongMask",
    "_PyLong_FromByteArray": "PyLong_FromString on the decimal text",
    "PyUnicode_AsUTF8": "PyUnicode_AsUTF8AndSize",
    "_PyObject_CallFunction_SizeT": "PyObject_Call / PyObject_CallObject",
    "PyObject_Vectorcall": "PyObject_Call with a tuple (vectorcall is stable only from 3.12)",
    "_PyObject_Vectorcall": "PyObject_Call with a tuple",
    "PyObject_CallOneArg": "PyObject_CallObject with a 1-tuple",
    "_Py_TrueStruct": "PyBool_FromLong(1)",
}


@dataclass
class Problem:
    """One reason the artifact would not work; `code` names the rule (for tests)."""

    code: str
    message: str


@dataclass
class Report:
    artifact: Path
    runtime: Runtime | None
    problems: list[Problem] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        target = (
            f"{self.runtime.name} ({self.runtime.os}, glibc {glibc_str(self.runtime.glibc)})"
            if self.runtime
            else f"every supported runtime (glibc {glibc_str(GLIBC_TARGET)})"
        )
        head = f"{self.artifact}: {'ok' if self.ok else 'REFUSED'} for {target}"
        lines = [head]
        lines += [f"  - {fact}" for fact in self.facts]
        lines += [f"  ✗ [{p.code}] {p.message}" for p in self.problems]
        return "\n".join(lines)


def check_artifact(path: str | os.PathLike[str], runtime: str | None = None) -> Report:
    """Check a `.so` or a zip of one against `runtime` (None: the 2.26 floor shared by
    all supported runtimes) and return every problem found, not just the first."""
    path = Path(path)
    rt = RUNTIMES[runtime] if runtime else None
    floor = rt.glibc if rt else GLIBC_TARGET
    report = Report(path, rt)
    if zipfile.is_zipfile(path):
        _check_zip(path, floor, report)
    else:
        size = path.stat().st_size
        _check_size(size, report)
        with path.open("rb") as stream:
            _check_shared_object(path.name, stream, floor, report)
    return report


def _check_zip(path: Path, floor: tuple[int, int], report: Report) -> None:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        _check_size(sum(info.file_size for info in infos), report)
        modules = [i for i in infos if _is_extension(i.filename) and "/" not in i.filename]
        nested = [i.filename for i in infos if _is_extension(i.filename) and "/" in i.filename]
        if not modules:
            report.problems.append(
                Problem(
                    "no-module",
                    "the zip has no extension module (.so) at its root: Lambda puts the "
                    "zip's root on sys.path and imports the handler's module from there"
                    + (f" (found only {', '.join(nested)})" if nested else "")
                    + "; make it with `python -m pylambda build`",
                )
            )
        for info in modules:
            with archive.open(info) as member:
                data = member.read()
            _check_shared_object(info.filename, data, floor, report)


def _is_extension(name: str) -> bool:
    return name.endswith(".so") or ".so." in name.rsplit("/", 1)[-1]


def _check_size(size: int, report: Report) -> None:
    report.facts.append(f"unzipped size {size:,} bytes (limit {UNZIPPED_LIMIT:,})")
    if size > UNZIPPED_LIMIT:
        report.problems.append(
            Problem(
                "size",
                f"unzipped size {size / 1e6:.1f} MB exceeds Lambda's 250 MB "
                f"({UNZIPPED_LIMIT:,} bytes) limit for a function's package and layers: "
                "drop bundled data (fetch it from S3 at run time), or ship it as a "
                "container image (10 GB limit)",
            )
        )


def _check_shared_object(name: str, data, floor: tuple[int, int], report: Report) -> None:
    try:
        facts = elfcheck.read_elf(data)
    except elfcheck.NotElf as exc:
        report.problems.append(
            Problem("not-elf", f"{name} is not an ELF shared object ({exc}): rebuild it")
        )
        return
    _check_kind(name, facts, report)
    _check_glibc(name, facts, floor, report)
    _check_needed(name, facts, report)
    _check_pyinit(name, facts, report)
    _check_abi(name, facts, report)


def _check_kind(name: str, facts: elfcheck.ElfFacts, report: Report) -> None:
    arches = {arch.elf_machine: arch.name for arch in ARCHES.values()}
    if facts.machine not in arches:
        report.problems.append(
            Problem(
                "arch",
                f"{name} is built for {facts.machine}; Lambda runs x86_64 and arm64 "
                "(pass --arch to `python -m pylambda build`)",
            )
        )
    else:
        report.facts.append(f"{name}: {arches[facts.machine]} ({facts.machine})")
    if facts.elf_type != "ET_DYN":
        report.problems.append(
            Problem(
                "not-shared",
                f"{name} is {facts.elf_type}, not a shared object: "
                'set crate-type = ["cdylib"] under [lib]',
            )
        )


def _check_glibc(name: str, facts: elfcheck.ElfFacts, floor, report: Report) -> None:
    newest = facts.max_glibc
    report.facts.append(f"{name}: needs GLIBC_{glibc_str(newest) if newest else '(none)'} at most")
    too_new = sorted(v for v in facts.glibc if v > floor)
    if not too_new:
        return
    symbols = [f"{s}@GLIBC_{glibc_str(v)}" for v in reversed(too_new) for s in facts.glibc[v]]
    shown = ", ".join(symbols[:6]) + (", ..." if len(symbols) > 6 else "")
    where = (
        f"{report.runtime.name} runs on {report.runtime.os}"
        if report.runtime
        else ("the oldest supported runtime (python3.11) runs on Amazon Linux 2")
    )
    report.problems.append(
        Problem(
            "glibc",
            f"{name} needs GLIBC_{glibc_str(too_new[-1])}"
            + (f" (for {shown})" if shown else "")
            + f", but {where} with glibc {glibc_str(floor)}: it would fail to import with "
            f"`version GLIBC_{glibc_str(too_new[-1])} not found`; {BUILD_HINT}",
        )
    )


def _check_needed(name: str, facts: elfcheck.ElfFacts, report: Report) -> None:
    report.facts.append(f"{name}: NEEDED {', '.join(facts.needed) or '(nothing)'}")
    for lib in facts.needed:
        if lib.startswith("libpython"):
            report.problems.append(
                Problem(
                    "libpython",
                    f"{name} links {lib}: an extension module must take the C API from "
                    "the interpreter that imports it, or it runs against a second, "
                    "uninitialised copy (`PyThreadState_Get: no current thread`). Enable "
                    "python3-sys's `extension-module` feature and do not pass -lpython",
                )
            )
        elif lib.startswith("libgcc_s"):
            report.problems.append(
                Problem(
                    "libgcc_s",
                    f"{name} links {lib} (the unwinder of a plain `cargo build`), one "
                    "more OS library whose version must match; build it with `python -m "
                    "pylambda build`, whose artifacts need nothing beyond glibc: zig links "
                    "the unwinder in statically and panics still become Lambda errors",
                )
            )


def _check_pyinit(name: str, facts: elfcheck.ElfFacts, report: Report) -> None:
    module = elfcheck.module_name(name)
    wanted = f"PyInit_{module}"
    if wanted in facts.pyinit:
        report.facts.append(f"{name}: exports {wanted}; handler {module}.handler")
        return
    if facts.pyinit:
        others = [symbol.removeprefix("PyInit_") for symbol in facts.pyinit]
        fix = (
            f"it exports {', '.join(facts.pyinit)}: name the file {others[0]}.so "
            f"(handler {others[0]}.handler), or set `name` under [lib] in Cargo.toml "
            f"so the cdylib is {name}"
        )
    else:
        fix = (
            "it exports no PyInit_ function at all: is it a cdylib made with "
            "pylambda's `lambda!` macro?"
        )
    report.problems.append(
        Problem(
            "pyinit",
            f"{name} lacks {wanted}: Python imports this file as module `{module}` and "
            f"calls {wanted}, so the import fails at INIT; {fix}",
        )
    )


def _check_abi(name: str, facts: elfcheck.ElfFacts, report: Report) -> None:
    stable = elfcheck.stable_abi(STABLE_ABI_VERSION)
    outside = [symbol for symbol in facts.python_imports if symbol not in stable]
    report.facts.append(
        f"{name}: imports {len(facts.python_imports)} C-API symbols, "
        f"{len(facts.python_imports) - len(outside)} in the CPython {STABLE_ABI_VERSION} "
        "stable ABI"
    )
    if not outside:
        return
    hints = [f"{s} -> {_ABI_HINTS[s]}" for s in outside if s in _ABI_HINTS]
    report.problems.append(
        Problem(
            "abi",
            f"{name} imports {len(outside)} C-API symbol(s) outside CPython "
            f"{STABLE_ABI_VERSION}'s stable ABI: {', '.join(outside)}. One artifact serves "
            "python3.11-3.15 only if every import is a stable-ABI function or object; "
            "call the stable function instead (never a struct-layout macro)"
            + (f": {'; '.join(hints)}" if hints else ""),
        )
    )
