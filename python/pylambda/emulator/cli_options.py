"""Options `invoke` and `serve` share, and the `Function` they describe."""

from __future__ import annotations

import argparse

from .function import INIT_TIMEOUT_S, PROVIDED_RUNTIMES, Function, LogSink


def add_function_options(parser: argparse.ArgumentParser) -> None:
    """ARTIFACT and the function's configuration, named as Lambda names them."""
    parser.add_argument(
        "artifact",
        metavar="ARTIFACT",
        help="the function: a built .so (e.g. target/release/libecho.so) or a packaged .zip "
        "(with --runtime provided.al2023: a zip with `bootstrap` at its root, or the executable)",
    )
    parser.add_argument(
        "--handler",
        metavar="MOD.FUNC",
        help="the handler (default: the artifact's single module, function `handler`)",
    )
    parser.add_argument(
        "--timeout", type=float, default=3.0, metavar="S", help="function timeout (default: 3)"
    )
    parser.add_argument(
        "--memory", type=int, default=128, metavar="MB", help="memory size (default: 128)"
    )
    parser.add_argument(
        "--runtime",
        choices=PROVIDED_RUNTIMES,
        help="an OS-only runtime: run the artifact's `bootstrap` executable, which speaks the "
        "Runtime API itself (default: a Python runtime, awslambdaric)",
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter that runs awslambdaric (default: this one); sets AWS_EXECUTION_ENV",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a function environment variable (repeatable)",
    )
    parser.add_argument("--function-name", metavar="NAME", help="default: the handler's module")
    parser.add_argument("--region", default="us-east-1", help="AWS_REGION (default: us-east-1)")
    parser.add_argument(
        "--log-format", choices=["JSON", "Text"], help="AWS_LAMBDA_LOG_FORMAT (default: unset)"
    )
    parser.add_argument("--log-level", metavar="LEVEL", help="AWS_LAMBDA_LOG_LEVEL (e.g. DEBUG)")
    parser.add_argument(
        "--init-timeout",
        type=float,
        default=INIT_TIMEOUT_S,
        metavar="S",
        help=f"limit of the INIT phase (default: {INIT_TIMEOUT_S:g}, as in Lambda)",
    )


def parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"--env expects KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def function_from_args(args: argparse.Namespace, log_sink: LogSink | None) -> Function:
    return Function(
        args.artifact,
        args.handler,
        python=args.python,
        env=parse_env(args.env),
        timeout=args.timeout,
        memory=args.memory,
        name=args.function_name,
        region=args.region,
        log_format=args.log_format,
        log_level=args.log_level,
        init_timeout=args.init_timeout,
        log_sink=log_sink,
        runtime=args.runtime,
    )
