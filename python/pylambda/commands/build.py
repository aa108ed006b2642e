"""`python -m pylambda build`: one deployment zip per function, for every runtime.

The zip is built once for glibc 2.26 with the stable ABI, so the same file serves
python3.11 (Amazon Linux 2) through python3.15 (Amazon Linux 2023); `--runtime` only
picks which CPython version configures python3-sys and which OS `check` holds it to.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..artifact import check_artifact
from ..elfcheck import module_name
from ..packaging import write_zip
from ..runtimes import ARCHES, DEFAULT_ARCH, DEFAULT_RUNTIME, RUNTIMES
from ..zigbuild import BuildError, cargo_metadata, require_rust_target, zigbuild


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build a Lambda deployment zip (cargo zigbuild, glibc 2.26) and check it",
        description=(
            "Build the function's cdylib with cargo-zigbuild for glibc 2.26 and write a "
            "zip with the .so at its root, ready to upload with the printed handler."
        ),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--manifest-path", metavar="PATH", help="Cargo.toml of the function")
    where.add_argument(
        "-p",
        "--package",
        action="append",
        default=[],
        metavar="PACKAGE",
        help="workspace package to build (repeatable)",
    )
    parser.add_argument(
        "--runtime",
        choices=sorted(RUNTIMES),
        default=DEFAULT_RUNTIME,
        help=f"Lambda runtime (default {DEFAULT_RUNTIME}; the zip serves all of them)",
    )
    parser.add_argument(
        "--arch",
        choices=sorted(ARCHES),
        default=DEFAULT_ARCH,
        help="Lambda architecture (arm64 needs the toolchain's aarch64 target)",
    )
    parser.add_argument("--out", default="dist", metavar="DIR", help="where zips go (dist)")
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter python3-sys asks (default: the tooling's own if it is the "
        "runtime's version, else a shim answering for that version)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    runtime, arch = RUNTIMES[args.runtime], ARCHES[args.arch]
    started = time.monotonic()
    try:
        require_rust_target(arch)  # before anything slow: a plain no for --arch arm64 here
        metadata = cargo_metadata(args.manifest_path)
        cdylibs, _ = zigbuild(
            metadata=metadata,
            manifest_path=args.manifest_path,
            packages=args.package,
            runtime=runtime,
            arch=arch,
            python=args.python,
        )
    except BuildError as exc:
        print(f"pylambda build: {exc}", file=sys.stderr)
        return 1
    print(f"pylambda build: compiled in {time.monotonic() - started:.1f} s", file=sys.stderr)
    failed = 0
    for cdylib in cdylibs:
        zip_path = write_zip(Path(args.out) / f"{cdylib.package}-{arch.name}.zip", [cdylib.path])
        module = module_name(cdylib.path.name)
        print(
            f"{zip_path}: {zip_path.stat().st_size:,} bytes "
            f"({cdylib.path.name} {cdylib.path.stat().st_size:,} bytes unzipped)\n"
            f"  handler: {module}.handler\n"
            f"  runtimes: {', '.join(RUNTIMES)} (one artifact serves all); "
            f"architecture: {arch.name}"
        )
        report = check_artifact(zip_path, runtime.name)
        print(report.render())
        failed += not report.ok
    return 1 if failed else 0
