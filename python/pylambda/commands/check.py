"""`python -m pylambda check ARTIFACT [--runtime R]`: will this load on Lambda?"""

from __future__ import annotations

import argparse

from ..artifact import check_artifact
from ..runtimes import RUNTIMES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that a built .so or zip will load on a Lambda Python runtime",
        description=(
            "Refuse an artifact that needs a newer glibc than the runtime's OS, links "
            "libpython or libgcc_s, lacks PyInit_<module> for its file name, imports "
            "C-API symbols outside CPython 3.11's stable ABI, or exceeds 250 MB unzipped."
        ),
    )
    parser.add_argument("artifacts", nargs="+", metavar="ARTIFACT", help=".so or .zip")
    parser.add_argument(
        "--runtime",
        choices=sorted(RUNTIMES),
        help="the Lambda runtime to check against (default: glibc 2.26, the oldest)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    failed = 0
    for artifact in args.artifacts:
        report = check_artifact(artifact, args.runtime)
        print(report.render())
        failed += not report.ok
    return 1 if failed else 0
