"""`python -m pylambda serve ARTIFACT`: Lambda's Invoke API on a local port.

    aws lambda invoke --endpoint-url http://127.0.0.1:9000 --function-name NAME out.json
    boto3.client("lambda", endpoint_url="http://127.0.0.1:9000", region_name="us-east-1",
                 aws_access_key_id="x", aws_secret_access_key="x").invoke(FunctionName=NAME)

Concurrent requests each get their own execution environment, as Lambda scales out.
Logs go to stderr. Stop with Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import sys

from pylambda.emulator.artifact import ArtifactError
from pylambda.emulator.cli_options import add_function_options, function_from_args
from pylambda.emulator.function import stderr_sink
from pylambda.emulator.invoke_api import make_server


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve Lambda's Invoke API for a function on a local port (boto3, AWS CLI)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_function_options(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument(
        "--port", type=int, default=9000, metavar="P", help="port (default: 9000; 0 picks one)"
    )
    parser.add_argument(
        "--max-environments",
        type=int,
        default=10,
        metavar="N",
        help="most execution environments run at once (default: 10)",
    )
    parser.set_defaults(run=run)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    try:
        server = make_server(
            lambda: function_from_args(args, stderr_sink),
            host=args.host,
            port=args.port,
            max_environments=args.max_environments,
        )
    except ArtifactError as exc:
        print(f"pylambda serve: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"pylambda serve: error: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    # SIGTERM stops the server as Ctrl-C does, so the environments are shut down either way.
    signal.signal(signal.SIGTERM, _interrupt)
    print(
        f"pylambda serve: function {server.function_name} ({server.handler}) "
        f"listening on {server.endpoint_url}\n"
        f"  POST {server.endpoint_url}/2015-03-31/functions/{server.function_name}/invocations",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
