"""Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) in front of a `Function`.

Real clients work against it unchanged: `boto3.client("lambda", endpoint_url=...)`, the AWS
CLI's `aws lambda invoke --endpoint-url ...`, or curl. It answers as the Invoke API does:

- `RequestResponse` (the default): 200 with the payload; `X-Amz-Function-Error: Unhandled` when
  the function failed; `X-Amz-Executed-Version`; with `X-Amz-Log-Type: Tail`, `X-Amz-Log-Result`
  carrying the last 4 KB of the invocation's log, base64-encoded.
- `Event`: 202 at once, the function runs in the background. `DryRun`: 204.
- Errors as `x-amzn-ErrorType` plus a JSON body: 404 `ResourceNotFoundException` for another
  function name, 413 `RequestEntityTooLargeException` over 6 MB (1 MB for `Event`), 400
  `InvalidRequestContentException` for a payload that is not JSON.

Lambda scales out rather than queueing: concurrent requests each get an execution environment
of their own, created on demand up to `max_environments` (`FunctionPool`).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .environment import FunctionConfig
from .function import MAX_REQUEST_SIZE, Function, InvocationError, Result

#: The Invoke API's limit for asynchronous (`Event`) payloads.
MAX_ASYNC_REQUEST_SIZE = 1024 * 1024

#: How much of the log `X-Amz-Log-Type: Tail` returns.
LOG_TAIL_BYTES = 4096

_PREFIX = "/2015-03-31/functions/"


class FunctionPool:
    """Execution environments for one function, created on demand and reused when idle."""

    def __init__(
        self,
        factory: Callable[[], Function],
        max_environments: int = 10,
        initial: Function | None = None,
    ) -> None:
        self._factory = factory
        self._idle: list[Function] = [initial] if initial else []
        self._all: list[Function] = list(self._idle)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_environments)
        self._closed = False

    def invoke(self, payload: bytes, **kwargs) -> Result:
        """Invoke on an idle environment, or a new one; raises `InvocationError` as Lambda would."""
        with self._slots:
            with self._lock:
                if self._closed:
                    raise InvocationError(503, "ServiceException", "the emulator is shutting down")
                fn = self._idle.pop() if self._idle else None
            if fn is None:
                fn = self._factory()
                with self._lock:
                    self._all.append(fn)
            try:
                return fn.invoke(payload, **kwargs)
            finally:
                with self._lock:
                    self._idle.append(fn)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            functions, self._all, self._idle = self._all, [], []
        for fn in functions:
            fn.close()


def resolve_function_name(raw: str) -> tuple[str, str | None]:
    """(name, qualifier) from any form the API accepts: name, `name:qual`, full or partial ARN."""
    parts = unquote(raw).split(":")
    if parts[0] == "arn" and len(parts) >= 7:  # arn:aws:lambda:region:account:function:name[:q]
        parts = parts[6:]
    elif len(parts) >= 3 and parts[1] == "function":  # account:function:name[:q]
        parts = parts[2:]
    return parts[0], (parts[1] if len(parts) > 1 else None)


class InvokeAPIServer(ThreadingHTTPServer):
    """Serves the Invoke API for the function `function_name` from `pool`."""

    daemon_threads = True

    def __init__(self, pool: FunctionPool, config: FunctionConfig, host="127.0.0.1", port=0):
        self.pool = pool
        self.function_name = config.name
        self.handler = config.handler
        self.arn = config.arn
        self._background: set[threading.Thread] = set()
        super().__init__((host, port), _Handler)

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def run_async(self, payload: bytes) -> None:
        """An `Event` invocation: queued, run in the background, its result only logged."""

        def run() -> None:
            try:
                self.pool.invoke(payload)
            except InvocationError:
                pass
            finally:
                self._background.discard(thread)

        thread = threading.Thread(target=run, daemon=True)
        self._background.add(thread)
        thread.start()

    def server_close(self) -> None:
        """Stop listening, let `Event` invocations finish, then stop every environment."""
        super().server_close()
        for thread in list(self._background):
            thread.join(timeout=30)
        self.pool.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: InvokeAPIServer

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass  # the function's own logs are what the user wants on stderr

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        request_id = str(uuid.uuid4())
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        if not (url.path.startswith(_PREFIX) and url.path.endswith("/invocations")):
            self._error(404, "UnknownOperationException", "Unknown operation", request_id)
            return
        name, qualifier = resolve_function_name(url.path[len(_PREFIX) : -len("/invocations")])
        qualifier = parse_qs(url.query).get("Qualifier", [qualifier])[0]
        if name not in (self.server.function_name, "function") or qualifier not in (
            None,
            "$LATEST",
        ):
            arn = self.server.arn.rsplit(":", 1)[0] + f":{name}"
            arn += f":{qualifier}" if qualifier else ""
            self._error(404, "ResourceNotFoundException", f"Function not found: {arn}", request_id)
            return
        invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation_type == "DryRun":
            self._send(204, b"", [("x-amzn-RequestId", request_id)])
            return
        if invocation_type == "Event":
            if len(body) > MAX_ASYNC_REQUEST_SIZE:
                self._error(
                    413,
                    "RequestEntityTooLargeException",
                    f"Request must be smaller than {MAX_ASYNC_REQUEST_SIZE} bytes "
                    "for the InvokeFunction operation",
                    request_id,
                )
                return
            self.server.run_async(body)
            self._send(202, b"", [("x-amzn-RequestId", request_id)])
            return
        if invocation_type != "RequestResponse":
            self._error(
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type}",
                request_id,
            )
            return
        client_context = None
        if self.headers.get("X-Amz-Client-Context"):
            client_context = base64.b64decode(self.headers["X-Amz-Client-Context"]).decode()
        try:
            result = self.server.pool.invoke(
                body, client_context=client_context, trace_id=self.headers.get("X-Amzn-Trace-Id")
            )
        except InvocationError as exc:
            self._error(exc.status, exc.error_type, exc.message, request_id)
            return
        headers = [
            ("Content-Type", result.content_type),
            ("x-amzn-RequestId", result.request_id),
            ("X-Amz-Executed-Version", "$LATEST"),
        ]
        if result.function_error:
            headers.append(("X-Amz-Function-Error", result.function_error))
        if self.headers.get("X-Amz-Log-Type") == "Tail":
            tail = result.logs.encode()[-LOG_TAIL_BYTES:]
            headers.append(("X-Amz-Log-Result", base64.b64encode(tail).decode()))
        self._send(200, result.payload, headers)

    def _error(self, status: int, error_type: str, message: str, request_id: str) -> None:
        body = json.dumps({"Type": "User", "message": message}).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", error_type),
            ("x-amzn-RequestId", request_id),
        ]
        self._send(status, body, headers)

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_server(
    function_factory: Callable[[], Function],
    host: str = "127.0.0.1",
    port: int = 0,
    max_environments: int = 10,
) -> InvokeAPIServer:
    """An Invoke API server for the function `function_factory` builds (one per environment).

    One environment is created at once, to learn the function's name and fail early on a bad
    artifact; the rest are created as concurrent requests need them.
    """
    first = function_factory()
    pool = FunctionPool(function_factory, max_environments, initial=first)
    try:
        return InvokeAPIServer(pool, first.config, host, port)
    except BaseException:
        pool.close()
        raise


__all__ = ["FunctionPool", "InvokeAPIServer", "make_server", "MAX_REQUEST_SIZE"]
