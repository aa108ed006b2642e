"""Run a Lambda function locally exactly as Lambda's Python runtime runs it.

`Function` cold-starts the real runtime client (`python -m awslambdaric MODULE.FUNC`) against an
emulated Lambda Runtime API on loopback, in a task directory holding the artifact, with Lambda's
environment, timeouts, error reporting and START/END/REPORT log lines::

    from pylambda.emulator import Function

    with Function("target/release/libecho.so", timeout=1) as fn:
        result = fn.invoke(b'{"hello": "world"}')
        assert result.ok and result.payload == b'{"hello": "world"}'

Modules: `runtime_api` (the Runtime API), `function_process` (the runtime process), `function`
(the lifecycle), `invoke_api` (Lambda's Invoke API, for `serve`), `reports` (the platform's own
log lines and error bodies), `artifact` and `environment` (the task directory and variables).
"""

from .function import (
    INIT_TIMEOUT_S,
    MAX_REQUEST_SIZE,
    Function,
    InvocationError,
    Result,
    stderr_sink,
)
from .runtime_api import MAX_PAYLOAD_SIZE

__all__ = [
    "Function",
    "Result",
    "InvocationError",
    "stderr_sink",
    "INIT_TIMEOUT_S",
    "MAX_PAYLOAD_SIZE",
    "MAX_REQUEST_SIZE",
]
