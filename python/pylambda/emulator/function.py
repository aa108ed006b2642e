"""`Function`: one Lambda execution environment, run locally the way Lambda runs it.

The lifecycle follows Lambda's:

- The first invocation cold-starts the runtime (INIT phase, at most `init_timeout` seconds, its
  time reported as `Init Duration`); later invocations reuse the warm process.
- An INIT phase that fails or times out is written up as `INIT_REPORT ... Phase: init` and retried
  once inside the invocation ("suppressed init", `Phase: invoke`), within the function timeout;
  if that fails too, the invocation returns the init error.
- An invocation that outlives the timeout is killed with its whole process group and answers
  `Sandbox.Timedout`; a runtime that dies answers `Runtime.ExitError`. Either way the next
  invocation cold-starts a new process.
- Each invocation writes `START`, the function's own output, `END` and `REPORT`, as Lambda does.

The runtime process is `python -m awslambdaric MODULE.FUNC` (Lambda's Python runtimes) or, with
`runtime="provided.al2023"`, the package's own `bootstrap` executable (Lambda's OS-only
runtimes: a Rust binary on the `lambda_runtime` crate, for one): the same Runtime API, lifecycle
and reports either way.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import reports
from .artifact import (
    BOOTSTRAP,
    ArtifactError,
    default_handler,
    populate_task_dir,
    require_bootstrap,
)
from .environment import FunctionConfig, interpreter_version, lambda_environment, log_stream_name
from .function_process import FunctionProcess
from .loop import Loop
from .runtime_api import Invocation, RuntimeAPI, platform_error_type

#: The Invoke API's limit on a synchronous request payload (6 MiB).
MAX_REQUEST_SIZE = 6 * 1024 * 1024

#: How long Lambda gives an on-demand function's INIT phase.
INIT_TIMEOUT_S = 10.0

#: The OS-only runtimes `Function(runtime=...)` accepts: Lambda runs the package's `bootstrap`.
PROVIDED_RUNTIMES = ("provided.al2023", "provided.al2", "provided")


class InvocationError(Exception):
    """Lambda refused the invocation itself (no function ran), as the Invoke API would.

    `status` is the HTTP status, `error_type` the `x-amzn-ErrorType` code (for example 413
    `RequestEntityTooLargeException`), `message` the error message.
    """

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message


@dataclass
class Result:
    """The outcome of one invocation.

    `payload` is exactly what Lambda's Invoke API would return: the function's response bytes,
    or the error JSON on failure. `status` is "success", "error" or "timeout"; `error_type` is the
    `errorType` a caller (or a Step Functions `Retry`/`Catch`) would match on; `function_error` is
    the `X-Amz-Function-Error` value ("Unhandled") or None. `logs` is this invocation's log text
    (init output on a cold start, START ... REPORT) and `report` its REPORT line.
    """

    request_id: str
    status: str
    payload: bytes
    content_type: str
    error_type: str | None
    logs: str
    report: str
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    max_memory_used_mb: int
    pid: int | None

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def function_error(self) -> str | None:
        return None if self.ok else "Unhandled"

    @property
    def cold(self) -> bool:
        """True if this invocation started a new runtime process."""
        return self.init_duration_ms is not None

    def json(self):
        """The payload parsed as JSON."""
        return json.loads(self.payload)


@dataclass
class _Init:
    ok: bool
    duration_ms: float
    status: str = "success"  # or "error", "timeout"
    error_type: str | None = None
    payload: bytes | None = None  # the runtime's /init/error body
    exit_description: str | None = None


LogSink = Callable[[bytes], None]


def stderr_sink(chunk: bytes) -> None:
    """A `log_sink` that streams logs to this process's stderr, as `invoke` and `serve` do."""
    sys.stderr.buffer.write(chunk)
    sys.stderr.buffer.flush()


class Function:
    """A Lambda function run locally through the Runtime API and the real awslambdaric.

    >>> with Function("target/release/libecho.so") as fn:          # doctest: +SKIP
    ...     result = fn.invoke(b'{"hello": "world"}')
    ...     result.payload, result.report
    (b'{"hello": "world"}', 'REPORT RequestId: ...')

    Args:
        artifact: a `.so` extension module, a deployment `.zip`, a `.py` module or a directory;
            it is copied (or unpacked) into a fresh task directory, the function's
            `LAMBDA_TASK_ROOT` and working directory.
        handler: `MODULE.FUNC`; defaults to the artifact's single module and `handler`.
        python: interpreter that runs `-m awslambdaric` (it must have awslambdaric installed);
            defaults to this interpreter. `AWS_EXECUTION_ENV` follows its version.
        env: the function's own environment variables, on top of Lambda's.
        timeout: the function timeout in seconds (Lambda's default is 3).
        memory: the memory size in MB, as reported to the function and in REPORT lines.
        name: the function name; defaults to the handler's module.
        log_format, log_level: Lambda's logging configuration (`JSON`/`Text`, `DEBUG`...).
        init_timeout: how long the INIT phase may take (Lambda: 10 s).
        log_sink: called with every chunk of log output as it happens (e.g. `stderr_sink`);
            logs are also collected per invocation in `Result.logs` either way.
        freeze: stop the runtime's process group (SIGSTOP) between invocations, as Lambda
            freezes an idle environment: background threads do not run until the next event.
        runtime: None (the default) for a Python runtime, whose version is `python`'s; or an
            OS-only runtime, `provided.al2023` (or `provided.al2`): the artifact is then a zip
            with an executable `bootstrap` at its root, or that executable itself, and the
            process is that program, speaking the Runtime API itself (`python` is unused, the
            handler defaults to `bootstrap` and is only passed on in `_HANDLER`).
    """

    def __init__(
        self,
        artifact,
        handler: str | None = None,
        *,
        python: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 3.0,
        memory: int = 128,
        name: str | None = None,
        region: str = "us-east-1",
        log_format: str | None = None,
        log_level: str | None = None,
        init_timeout: float = INIT_TIMEOUT_S,
        log_sink: LogSink | None = None,
        freeze: bool = True,
        runtime: str | None = None,
    ) -> None:
        if runtime is not None and runtime not in PROVIDED_RUNTIMES:
            raise ValueError(
                f"runtime must be None (Python) or one of {', '.join(PROVIDED_RUNTIMES)}, "
                f"not {runtime!r}"
            )
        self.runtime = runtime
        self.python = _interpreter_path(python)
        self.freeze = freeze
        self.init_timeout = init_timeout
        self._log_sink = log_sink
        self._proc: FunctionProcess | None = None
        self._logs = bytearray()
        self._last_memory_mb = 0
        # The last JSON payload found valid: invoking again with the same bytes skips parsing them.
        self._valid_payload: bytes | None = None
        self._loop = Loop()
        self._api: RuntimeAPI | None = None
        self.task_dir = Path(tempfile.mkdtemp(prefix="pylambda-task-"))
        try:
            populate_task_dir(artifact, self.task_dir, bootstrap=self.provided)
            if self.provided:
                self._argv = [str(require_bootstrap(self.task_dir))]
                handler = handler or BOOTSTRAP
            else:
                handler = handler or default_handler(self.task_dir)
            self.config = FunctionConfig(
                name=name or handler.rsplit(".", 1)[0].replace("/", "-").replace(".", "-"),
                handler=handler,
                memory_mb=memory,
                timeout_s=timeout,
                region=region,
                log_format=log_format,
                log_level=log_level,
                env=dict(env or {}),
            )
            if self.provided:
                self._python_version = None
            else:
                self._python_version = interpreter_version(self.python)
                self._argv = [self.python, "-m", "awslambdaric", self.config.handler]
            self._api = RuntimeAPI(self._loop)
        except BaseException:
            self.close()
            raise

    # -- public API --------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def provided(self) -> bool:
        """True for an OS-only runtime, whose process is the package's `bootstrap`."""
        return self.runtime is not None

    @property
    def handler(self) -> str:
        return self.config.handler

    @property
    def timeout(self) -> float:
        return self.config.timeout_s

    @property
    def pid(self) -> int | None:
        """The warm runtime process's id, or None when the next invocation will cold-start."""
        return self._proc.pid if self._proc is not None else None

    def __enter__(self) -> Function:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the runtime process and remove the task directory."""
        if self._proc is not None:
            self._proc.kill()
            self._proc = None
        if self._api is not None:
            self._api.close()
            self._api = None
        self._loop.close()
        shutil.rmtree(self.task_dir, ignore_errors=True)

    def invoke(
        self,
        payload: bytes | str | object = b"{}",
        *,
        client_context: dict | str | None = None,
        cognito_identity: dict | None = None,
        trace_id: str | None = None,
        content_type: str = "application/json",
    ) -> Result:
        """Invoke the function synchronously (`RequestResponse`) and return its `Result`.

        `payload` is the event as JSON bytes or text (any other object is JSON-encoded); empty
        means `{}`, as when the Invoke API gets no payload. `client_context` is what a mobile
        SDK would send (its JSON); `cognito_identity` a dict with `cognitoIdentityId` and
        `cognitoIdentityPoolId`. Raises `InvocationError` where Lambda would refuse the request
        (payload over 6 MiB, not JSON) without running the function.

        `content_type` is what the runtime is told the event is. Lambda's runtime client decodes
        only `application/json`; with any other type the handler gets the payload as `bytes`
        (the Invoke API always sends JSON: other types come from other event paths), and the
        payload is not checked for JSON.
        """
        body = _request_body(payload)
        if content_type == "application/json":
            body = self._valid_json(body)
        self._logs = bytearray()
        request_id = str(uuid.uuid4())
        init_ms: float | None = None
        if self._proc is not None and self._proc.poll():
            self._discard_process()  # died while idle: this invocation cold-starts
        invoke_start: float | None = None
        if self._proc is None:
            init = self._init(time.monotonic() + self.init_timeout)
            if init.ok:
                init_ms = init.duration_ms
            else:
                self._emit(
                    reports.init_report_line(init.duration_ms, "init", init.status, init.error_type)
                )
                # Suppressed init: Lambda tries again inside the invocation, on its clock.
                invoke_start = time.monotonic()
                init = self._init(invoke_start + self.timeout)
                if not init.ok:
                    self._emit(
                        reports.init_report_line(
                            init.duration_ms, "invoke", init.status, init.error_type
                        )
                    )
                    return self._failed_init(request_id, init, invoke_start)
        if invoke_start is None:
            invoke_start = time.monotonic()
        return self._run(
            request_id,
            body,
            invoke_start,
            init_ms,
            client_context,
            cognito_identity,
            trace_id,
            content_type,
        )

    def _valid_json(self, body: bytes) -> bytes:
        """`_check_json(body)`, remembered for the last valid payload.

        Lambda's front end parses every JSON payload, off the function's CPU; the emulator runs
        on the function's, so parsing the same 256 KB event again for every invocation of a
        benchmark (2 ms: more than pylambda's whole handler call on it) was a cost no real
        invocation pays. Identical bytes parse identically: they are compared instead (at once
        when they are the same object)."""
        if body == self._valid_payload:
            return body
        body = _check_json(body)
        self._valid_payload = body
        return body

    # -- lifecycle -----------------------------------------------------------------------------

    def _init(self, deadline: float) -> _Init:
        """Start a runtime process and wait until it asks for work (or fails)."""
        api = self._api
        assert api is not None
        api.reset()
        env = lambda_environment(
            self.config, str(self.task_dir), api.address, self._python_version, log_stream_name()
        )
        proc = self._proc = FunctionProcess(
            self._loop, self._argv, str(self.task_dir), env, self._output
        )
        self._loop.run_until(
            lambda: api.ready or api.init_error is not None or proc.exited, deadline
        )
        duration_ms = (time.monotonic() - proc.started) * 1000
        if api.ready:
            return _Init(True, duration_ms)
        if api.init_error is not None:
            # The runtime exits by itself after reporting; let it finish writing its logs.
            self._loop.run_until(lambda: proc.exited, time.monotonic() + 2.0)
            error = api.init_error
            self._discard_process()
            return _Init(
                False, duration_ms, "error", platform_error_type(error.error_type), error.body
            )
        if proc.exited:
            description = reports.exit_description(proc.wait_status)
            self._discard_process()
            return _Init(
                False, duration_ms, "error", "Runtime.ExitError", exit_description=description
            )
        self._discard_process()
        return _Init(False, duration_ms, "timeout")

    def _run(
        self,
        request_id: str,
        body: bytes,
        invoke_start: float,
        init_ms: float | None,
        client_context,
        cognito_identity,
        trace_id: str | None,
        content_type: str,
    ) -> Result:
        api = self._api
        proc = self._proc
        assert api is not None and proc is not None
        deadline = invoke_start + self.timeout
        proc.thaw()
        self._emit(reports.start_line(request_id))
        api.deliver(
            Invocation(
                request_id=request_id,
                payload=body,
                deadline_ms=int((time.time() + deadline - time.monotonic()) * 1000),
                function_arn=self.config.arn,
                trace_id=trace_id or _trace_id(),
                client_context=_json_text(client_context),
                cognito_identity=_json_text(cognito_identity),
                content_type=content_type,
            )
        )
        self._loop.run_until(lambda: api.outcome is not None or proc.exited, deadline)
        outcome = api.outcome
        if outcome is not None:
            duration_ms = (outcome.received - invoke_start) * 1000
            # The runtime's work after posting its response (until it asks for the next event)
            # still belongs to this invocation, as in Lambda; so do its logs.
            self._loop.run_until(lambda: api.ready or proc.exited, deadline)
            status, error_type, payload = "success", None, outcome.body
            if outcome.is_error:
                status, error_type = "error", _error_type(outcome.body, outcome.error_type)
            report_status = report_error = None
            if proc.exited:
                description = reports.exit_description(proc.wait_status)
                self._emit(reports.platform_error_log(request_id, description, "Runtime.ExitError"))
                report_status, report_error = "error", "Runtime.ExitError"
                self._discard_process()
            return self._finish(
                request_id, status, payload, outcome.content_type, error_type, duration_ms,
                init_ms, report_status, report_error,
            )  # fmt: skip
        if proc.exited:
            duration_ms = (time.monotonic() - invoke_start) * 1000
            description = reports.exit_description(proc.wait_status)
            self._discard_process()
            self._emit(reports.platform_error_log(request_id, description, "Runtime.ExitError"))
            payload = reports.platform_error_payload(request_id, description, "Runtime.ExitError")
            return self._finish(
                request_id, "error", payload, "application/json", "Runtime.ExitError",
                duration_ms, init_ms, "error", "Runtime.ExitError",
            )  # fmt: skip
        # Timed out: Lambda stops the environment at the deadline.
        self._discard_process()
        self._emit(reports.timeout_log_line(request_id, self.timeout))
        payload = reports.timeout_payload(request_id, self.timeout)
        return self._finish(
            request_id, "timeout", payload, "application/json", "Sandbox.Timedout",
            self.timeout * 1000, init_ms, "timeout", None,
        )  # fmt: skip

    def _failed_init(self, request_id: str, init: _Init, invoke_start: float) -> Result:
        """The invocation's answer when even the suppressed init failed."""
        self._emit(reports.start_line(request_id))
        duration_ms = (time.monotonic() - invoke_start) * 1000
        if init.status == "timeout":
            self._emit(reports.timeout_log_line(request_id, self.timeout))
            payload = reports.timeout_payload(request_id, self.timeout)
            return self._finish(
                request_id, "timeout", payload, "application/json", "Sandbox.Timedout",
                self.timeout * 1000, None, "timeout", None,
            )  # fmt: skip
        if init.payload is not None:
            payload = init.payload
            error_type = _error_type(payload, init.error_type)
        else:
            description = init.exit_description or "Runtime exited without providing a reason"
            self._emit(reports.platform_error_log(request_id, description, "Runtime.ExitError"))
            payload = reports.platform_error_payload(request_id, description, "Runtime.ExitError")
            error_type = "Runtime.ExitError"
        return self._finish(
            request_id, "error", payload, "application/json", error_type, duration_ms, None,
            "error", init.error_type,
        )  # fmt: skip

    def _finish(
        self,
        request_id: str,
        status: str,
        payload: bytes,
        content_type: str,
        error_type: str | None,
        duration_ms: float,
        init_ms: float | None,
        report_status: str | None,
        report_error: str | None,
    ) -> Result:
        proc = self._proc
        if proc is not None:
            proc.drain()
            self._last_memory_mb = proc.max_memory_used_mb()
            if self.freeze and self._api is not None and self._api.ready:
                proc.freeze()
        memory_used = self._last_memory_mb
        self._emit(reports.end_line(request_id))
        report = reports.report_line(
            request_id,
            duration_ms,
            self.config.memory_mb,
            memory_used,
            init_ms,
            report_status,
            report_error,
        )
        self._emit(report)
        return Result(
            request_id=request_id,
            status=status,
            payload=payload,
            content_type=content_type,
            error_type=error_type,
            logs=self._logs.decode("utf-8", "replace"),
            report=report.rstrip("\n"),
            duration_ms=duration_ms,
            billed_duration_ms=reports.billed_ms(duration_ms, init_ms),
            init_duration_ms=init_ms,
            max_memory_used_mb=memory_used,
            pid=proc.pid if proc is not None else None,
        )

    def _discard_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            self._last_memory_mb = proc.max_memory_used_mb()

    # -- logs ------------------------------------------------------------------------------------

    def _output(self, chunk: bytes) -> None:
        self._logs += chunk
        if self._log_sink is not None:
            self._log_sink(chunk)

    def _emit(self, line: str) -> None:
        """Write a platform line after everything the function has written so far."""
        if self._proc is not None:
            self._proc.drain()
        self._output(line.encode())


def _interpreter_path(python: str | None) -> str:
    """An absolute path (the process runs in the task directory); symlinks kept, so a venv's
    `bin/python` still finds its `pyvenv.cfg`."""
    if not python:
        return sys.executable
    found = shutil.which(python) if os.sep not in python else python
    if not found or not os.access(found, os.X_OK):
        raise ArtifactError(f"python interpreter not found or not executable: {python}")
    return os.path.abspath(found)


def _request_body(payload) -> bytes:
    """The payload as the request's bytes, refused past the Invoke API's size limit."""
    if isinstance(payload, str):
        body = payload.encode()
    elif isinstance(payload, bytes | bytearray | memoryview):
        body = bytes(payload)
    else:
        body = json.dumps(payload).encode()
    if len(body) > MAX_REQUEST_SIZE:
        raise InvocationError(
            413,
            "RequestEntityTooLargeException",
            f"Request must be smaller than {MAX_REQUEST_SIZE} bytes "
            "for the InvokeFunction operation",
        )
    return body


def _check_json(body: bytes) -> bytes:
    """`body` if Lambda's Invoke API takes it as JSON (`{}` for an empty one), else its error."""
    if not body.strip():
        return b"{}"
    try:
        json.loads(body)
    except RecursionError:
        pass  # valid JSON nested deeper than Python's parser goes; Lambda's accepts it
    except ValueError as exc:
        raise InvocationError(
            400,
            "InvalidRequestContentException",
            f"Could not parse request body into json: Could not parse payload into json: {exc}",
        ) from None
    return body


def _json_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _error_type(body: bytes, header: str | None) -> str | None:
    """The `errorType` of an error payload, which is what callers match on."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return header
    if isinstance(parsed, dict) and isinstance(parsed.get("errorType"), str):
        return parsed["errorType"]
    return header


def _trace_id() -> str:
    """An X-Ray trace header like the one Lambda passes in `Lambda-Runtime-Trace-Id`."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0"
