"""The `python -m pylambda` command line.

Each subcommand lives in its own module, which exposes `register(subparsers)`;
this module only wires them together, so adding a command never touches the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# (module, one-line help). Modules are imported lazily so `--help` stays fast and a
# command's heavy imports never slow the others down.
COMMANDS: list[str] = ["build", "check", "invoke", "serve", "new"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pylambda",
        description="Build, check and run Rust Lambda functions made with the pylambda crate.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"pylambda.commands.{name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
