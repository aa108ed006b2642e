"""`python -m pylambda invoke ARTIFACT`: run a function once (or N times), as Lambda would.

stdout gets exactly the bytes Lambda's Invoke API would return (the response, or on a function
error the error JSON); logs, START/END and REPORT lines go to stderr as they happen.
Exit status: 0 on success, 1 on a function error (as `X-Amz-Function-Error` would say),
2 when the invocation could not happen (bad artifact or arguments, payload refused).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pylambda.emulator.artifact import ArtifactError
from pylambda.emulator.cli_options import add_function_options, function_from_args
from pylambda.emulator.function import InvocationError, stderr_sink
from pylambda.emulator.samples import load_sample_event, sample_event_names


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "invoke",
        help="invoke a function locally through the Lambda Runtime API emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_function_options(parser)
    parser.add_argument(
        "--event",
        metavar="FILE|-|SAMPLE",
        help="the event: a JSON file, - for stdin, or a bundled sample ("
        + ", ".join(sample_event_names())
        + "); default {}",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="invoke N times in the same (warm) environment; responses are newline-separated",
    )
    parser.set_defaults(run=run)


def read_event(spec: str | None) -> bytes:
    """The event bytes for `--event`: a file, stdin, or a sample's name."""
    if spec is None:
        return b"{}"
    if spec == "-":
        return sys.stdin.buffer.read()
    path = Path(spec)
    if path.is_file():
        return path.read_bytes()
    try:
        return load_sample_event(spec)
    except KeyError:
        raise SystemExit(
            f"pylambda invoke: error: --event {spec}: no such file or sample event "
            f"(samples: {', '.join(sample_event_names())})"
        ) from None


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        print("pylambda invoke: error: --repeat must be at least 1", file=sys.stderr)
        return 2
    event = read_event(args.event)
    out = sys.stdout.buffer
    status = 0
    try:
        with function_from_args(args, stderr_sink) as fn:
            for i in range(args.repeat):
                result = fn.invoke(event)
                if i:
                    out.write(b"\n")
                out.write(result.payload)
                out.flush()
                if not result.ok:
                    status = 1
    except (ArtifactError, InvocationError) as exc:
        print(f"pylambda invoke: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130  # the environment was already shut down on the way out of `with`
    return status
