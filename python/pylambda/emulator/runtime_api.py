"""The Lambda Runtime API (version 2018-06-01) for one execution environment.

Semantics follow AWS's documented contract and, where the documents are silent, RAPID, the
open-source core of Lambda's own runtime API server (aws-lambda-runtime-interface-emulator,
`internal/lambda/rapi`): the same status codes, error types, error messages and state names, so a
runtime client sees here what it would see in Lambda.

- `GET  /runtime/invocation/next` parks until `deliver()` hands it an invocation.
- `POST /runtime/invocation/{id}/response` accepts up to 6 MiB + 100 bytes; a larger body fails the
  invocation with `Function.ResponseSizeTooLarge` and the runtime gets 413 `RequestEntityTooLarge`.
- `POST /runtime/invocation/{id}/error` forwards the runtime's error body untouched.
- `POST /runtime/init/error` records an init failure.
- An id that is not the current invocation's gets 400 `InvalidRequestID`; a call the runtime's
  state does not allow (a second response, init/error after init) gets 403 `InvalidStateTransition`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from .http11 import Connection, Listener, Request, build_response
from .loop import Loop

API_VERSION = "/2018-06-01"

#: RAPID's `interop.MaxPayloadSize`: 6 MiB + 100 bytes, for events and responses alike.
MAX_PAYLOAD_SIZE = 6 * 1024 * 1024 + 100

ERROR_TYPE_HEADER = "lambda-runtime-function-error-type"

# Runtime state names as RAPID spells them (core/runtime_state_names.go); they appear in the
# messages of 403 InvalidStateTransition answers.
STARTED = "Started"
RUNNING = "Running"
INIT_ERROR = "InitError"
RESPONSE_SENT = "RuntimeResponseSentState"
READY = "Ready"
INVOCATION_RESPONSE = "InvocationResponse"
INVOCATION_ERROR_RESPONSE = "InvocationErrorResponse"

_VALID_ERROR_TYPE = re.compile(r"(Runtime|Function)\.[A-Z][a-zA-Z]+")

RESPONSE_TOO_LARGE_BODY = json.dumps(
    {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        f"({MAX_PAYLOAD_SIZE} bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    },
    separators=(",", ":"),
).encode()


@dataclass
class Invocation:
    """What `GET /next` hands the runtime: the event and the `Lambda-Runtime-*` headers."""

    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None = None  # JSON text
    cognito_identity: str | None = None  # JSON text
    content_type: str = "application/json"
    tenant_id: str | None = None


@dataclass
class Outcome:
    """What the runtime answered for the current invocation."""

    is_error: bool
    body: bytes
    content_type: str
    error_type: str | None = None  # as sent in Lambda-Runtime-Function-Error-Type
    #: `time.monotonic()` when the answer arrived, before the runtime is told it was accepted:
    #: the end of the invocation's Duration. (Read after the loop returns instead, it also
    #: counted whatever of the runtime's own work after the POST ran first on a shared CPU.)
    received: float = field(default_factory=time.monotonic)


@dataclass
class InitError:
    error_type: str | None
    body: bytes


def platform_error_type(header: str | None) -> str:
    """RAPID's `GetValidRuntimeOrFunctionErrorType`: the error type Lambda records."""
    header = header or ""
    if _VALID_ERROR_TYPE.search(header):
        return header
    return "Function.Unknown" if header.startswith("Function.") else "Runtime.Unknown"


def _json_body(**fields: str) -> bytes:
    # Go's json.Encoder: compact, fields in struct order, newline-terminated.
    return json.dumps(fields, separators=(",", ":")).encode() + b"\n"


_JSON = [("Content-Type", "application/json")]
ACCEPTED = build_response(202, _JSON, _json_body(status="OK"))
INVALID_REQUEST_ID = build_response(
    400, _JSON, _json_body(errorMessage="Invalid request ID", errorType="InvalidRequestID")
)
RESPONSE_TOO_LARGE = build_response(
    413,
    _JSON,
    _json_body(
        errorMessage=f"Exceeded maximum allowed payload size ({MAX_PAYLOAD_SIZE} bytes).",
        errorType="RequestEntityTooLarge",
    ),
)
NOT_FOUND = build_response(
    404, [("Content-Type", "text/plain; charset=utf-8")], b"404 page not found\n"
)
METHOD_NOT_ALLOWED = build_response(405, [])


def _forbidden(current: str, wanted: str) -> bytes:
    message = (
        f"State transition from {current} to {wanted} failed for runtime. "
        "Error: State transition is not allowed"
    )
    return build_response(
        403, _JSON, _json_body(errorMessage=message, errorType="InvalidStateTransition")
    )


class RuntimeAPI:
    """Serves the Runtime API for one environment on a loopback port, on the caller's `Loop`.

    The owner drives it: `reset()` for every new runtime process, `deliver()` for every
    invocation, then runs the loop until `outcome`, `init_error` or `ready` says what happened.
    """

    def __init__(self, loop: Loop, host: str = "127.0.0.1") -> None:
        self._listener = Listener(loop, self._handle, host=host)
        #: host:port, the value of AWS_LAMBDA_RUNTIME_API.
        self.address = self._listener.address
        self.reset()

    def reset(self) -> None:
        """Forget the previous runtime process: its connections, state and invocation."""
        self._listener.close_connections()
        self.state = STARTED
        self._parked: Connection | None = None
        self.current: Invocation | None = None
        self._delivered = False
        self.outcome: Outcome | None = None
        self.init_error: InitError | None = None
        self.ready_count = 0  # how many times the runtime asked for work

    @property
    def ready(self) -> bool:
        """The runtime is waiting in `GET /next` with nothing delivered yet."""
        return self._parked is not None and not self._parked.closed

    def deliver(self, invocation: Invocation) -> None:
        """Make `invocation` current; the parked (or next) `GET /next` receives it."""
        self.current = invocation
        self._delivered = False
        self.outcome = None
        if self.ready:
            conn, self._parked = self._parked, None
            self._send_invocation(conn)

    def close(self) -> None:
        self._listener.close()

    # -- request handling ------------------------------------------------------------------

    def _handle(self, conn: Connection, request: Request) -> None:
        path = request.target.split("?", 1)[0]
        if not path.startswith(API_VERSION + "/runtime/"):
            conn.write(NOT_FOUND)
            return
        path = path[len(API_VERSION) :]
        if path == "/runtime/invocation/next":
            if request.method != "GET":
                conn.write(METHOD_NOT_ALLOWED)
            else:
                self._next(conn)
            return
        if request.method != "POST":
            conn.write(METHOD_NOT_ALLOWED if self._is_post_route(path) else NOT_FOUND)
            return
        if path == "/runtime/init/error":
            self._init_error(conn, request)
            return
        parts = path.split("/")  # ['', 'runtime', 'invocation', id, 'response'|'error']
        if len(parts) == 5 and parts[2] == "invocation" and parts[4] in ("response", "error"):
            if not self._valid_request_id(parts[3]):
                conn.write(INVALID_REQUEST_ID)
            elif parts[4] == "response":
                self._response(conn, request)
            else:
                self._error(conn, request)
            return
        conn.write(NOT_FOUND)

    @staticmethod
    def _is_post_route(path: str) -> bool:
        return path == "/runtime/init/error" or (
            path.startswith("/runtime/invocation/") and path.endswith(("/response", "/error"))
        )

    def _valid_request_id(self, request_id: str) -> bool:
        # RAPID's AwsRequestIDValidator: the id must be the current invocation's.
        return (
            bool(request_id) and self.current is not None and request_id == self.current.request_id
        )

    def _next(self, conn: Connection) -> None:
        if self.state not in (STARTED, RUNNING, RESPONSE_SENT):
            conn.write(_forbidden(self.state, READY))
            return
        self.state = RUNNING
        self.ready_count += 1
        if self.current is not None and not self._delivered:
            self._send_invocation(conn)
        else:
            self._parked = conn

    def _send_invocation(self, conn: Connection) -> None:
        inv = self.current
        assert inv is not None
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", inv.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(inv.deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", inv.function_arn),
            ("Lambda-Runtime-Trace-Id", inv.trace_id),
        ]
        if inv.client_context:
            headers.append(("Lambda-Runtime-Client-Context", inv.client_context))
        if inv.cognito_identity:
            headers.append(("Lambda-Runtime-Cognito-Identity", inv.cognito_identity))
        if inv.tenant_id:
            headers.append(("Lambda-Runtime-Aws-Tenant-Id", inv.tenant_id))
        headers.append(("Content-Type", inv.content_type or "application/json"))
        self._delivered = True
        conn.write(build_response(200, headers, inv.payload[:MAX_PAYLOAD_SIZE]))

    def _response(self, conn: Connection, request: Request) -> None:
        if self.state != RUNNING:
            conn.write(_forbidden(self.state, INVOCATION_RESPONSE))
            return
        self.state = RESPONSE_SENT
        if len(request.body) > MAX_PAYLOAD_SIZE:
            self.outcome = Outcome(
                True, RESPONSE_TOO_LARGE_BODY, "application/json", "Function.ResponseSizeTooLarge"
            )
            conn.write(RESPONSE_TOO_LARGE)
            return
        content_type = request.headers.get("content-type", "application/json")
        self.outcome = Outcome(False, request.body, content_type)
        conn.write(ACCEPTED)

    def _error(self, conn: Connection, request: Request) -> None:
        if self.state != RUNNING:
            conn.write(_forbidden(self.state, INVOCATION_ERROR_RESPONSE))
            return
        self.state = RESPONSE_SENT
        content_type = request.headers.get("content-type", "application/json")
        self.outcome = Outcome(
            True, request.body, content_type, request.headers.get(ERROR_TYPE_HEADER)
        )
        conn.write(ACCEPTED)

    def _init_error(self, conn: Connection, request: Request) -> None:
        if self.state != STARTED:
            conn.write(_forbidden(self.state, INIT_ERROR))
            return
        self.state = INIT_ERROR
        self.init_error = InitError(request.headers.get(ERROR_TYPE_HEADER), request.body)
        conn.write(ACCEPTED)
