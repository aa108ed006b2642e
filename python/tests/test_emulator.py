"""The emulator's lifecycle, results and reports, through the real awslambdaric.

Every test runs a real `python -m awslambdaric` process against the emulated Runtime API; the
handlers are small Python modules so these tests need no Rust build.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from pylambda.emulator import MAX_PAYLOAD_SIZE, MAX_REQUEST_SIZE, Function, InvocationError
from pylambda.emulator import function as emulator_function
from pylambda.emulator.artifact import ArtifactError

HANDLERS = """
    import json, logging, os, signal, sys, time

    def echo(event, context):
        print("echo", context.aws_request_id)
        return event

    def fail(event, context):
        raise ValueError("name must not be empty")

    def sleep(event, context):
        print("sleeping", event["seconds"], flush=True)
        time.sleep(event["seconds"])
        return "woke up"

    def segfault(event, context):
        if event.get("crash"):
            print("about to crash", flush=True)
            os.kill(os.getpid(), signal.SIGSEGV)
        return os.getpid()

    def exit3(event, context):
        os._exit(3)

    class SlowToFree(dict):
        # A response whose finalizer takes `seconds`: awslambdaric frees it after its POST.
        seconds = 0.0

        def __del__(self):
            time.sleep(self.seconds)

    def slow_to_free(event, context):
        response = SlowToFree(freed="after the POST")
        response.seconds = event["seconds"]
        return response

    def raw(event, context):
        # bytes go back untouched, as application/unknown
        return b"x" * event["size"]

    def describe(event, context):
        names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
                 "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
                 "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_EXECUTION_ENV",
                 "LAMBDA_TASK_ROOT", "_HANDLER", "PYTHONPATH", "AWS_LAMBDA_RUNTIME_API",
                 "AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL", "_X_AMZN_TRACE_ID", "MY_VAR"]
        client = context.client_context
        return {
            "env": {name: os.environ.get(name) for name in names},
            "cwd": os.getcwd(),
            "request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "cognito_identity_id": context.identity.cognito_identity_id,
            "cognito_identity_pool_id": context.identity.cognito_identity_pool_id,
            "client_installation_id": client.client.installation_id if client else None,
            "client_custom": client.custom if client else None,
        }

    def log(event, context):
        logging.getLogger().info("from logging")
        logging.getLogger().debug("debug detail")
        print("from print")
        return None
"""


@pytest.fixture
def handlers(write_module):
    return write_module("handlers", HANDLERS)


def test_echo_returns_the_event_bytes_from_a_warm_process(handlers):
    event = b'{"a": 1, "b": [1.5, "x", null, true], "c": {"d": 12345678901234567890}}'
    with Function(handlers, "handlers.echo") as fn:
        first = fn.invoke(event)
        second = fn.invoke(event)
    assert first.ok and second.ok
    assert first.payload == event and second.payload == event
    assert first.content_type == "application/json"
    assert first.function_error is None
    assert first.cold and not second.cold
    assert first.pid == second.pid
    assert first.request_id != second.request_id
    assert f"echo {second.request_id}" in second.logs


def test_empty_payload_is_an_empty_object(handlers):
    with Function(handlers, "handlers.echo") as fn:
        assert fn.invoke(b"").payload == b"{}"


def test_environment_and_context_are_lambdas(handlers):
    client_context = {
        "client": {"installation_id": "inst-1", "app_title": "demo"},
        "custom": {"tenant": "acme"},
        "env": {"platform": "test"},
    }
    identity = {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "us-east-1:pool"}
    with Function(
        handlers,
        "handlers.describe",
        memory=256,
        timeout=2,
        name="my-func",
        region="eu-west-1",
        env={"MY_VAR": "mine"},
        log_format="JSON",
        log_level="DEBUG",
    ) as fn:
        result = fn.invoke(b"{}", client_context=client_context, cognito_identity=identity)
        seen = result.json()
        task_root = str(fn.task_dir)
    env = seen["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "my-func" == seen["function_name"]
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST" == seen["function_version"]
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" == seen["memory_limit_in_mb"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/my-func" == seen["log_group_name"]
    assert re.fullmatch(
        r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    assert env["AWS_REGION"] == "eu-west-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python{}.{}".format(*sys.version_info[:2])
    assert env["LAMBDA_TASK_ROOT"] == task_root == seen["cwd"] == env["PYTHONPATH"]
    assert env["_HANDLER"] == "handlers.describe"
    assert env["AWS_LAMBDA_LOG_FORMAT"] == "JSON" and env["AWS_LAMBDA_LOG_LEVEL"] == "DEBUG"
    assert env["MY_VAR"] == "mine"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert seen["request_id"] == result.request_id
    assert seen["invoked_function_arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:my-func"
    assert 0 < seen["remaining_ms"] <= 2000
    assert seen["cognito_identity_id"] == "us-east-1:abc"
    assert seen["cognito_identity_pool_id"] == "us-east-1:pool"
    assert seen["client_installation_id"] == "inst-1"
    assert seen["client_custom"] == {"tenant": "acme"}


def test_the_callers_environment_does_not_leak_in(handlers, monkeypatch):
    monkeypatch.setenv("MY_VAR", "from the host")
    with Function(handlers, "handlers.describe") as fn:
        assert fn.invoke(b"{}").json()["env"]["MY_VAR"] is None


def test_function_error_is_lambdas_error_json_and_keeps_the_process(handlers):
    with Function(handlers, "handlers.fail") as fn:
        first = fn.invoke(b"{}")
        second = fn.invoke(b"{}")
    assert first.status == "error" and first.function_error == "Unhandled"
    assert first.error_type == "ValueError"
    error = first.json()
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "name must not be empty"
    assert error["requestId"] == first.request_id
    assert any("in fail" in frame for frame in error["stackTrace"])
    assert "[ERROR] ValueError: name must not be empty" in first.logs
    assert "Status:" not in first.report  # Lambda adds no status for a function's own error
    assert second.pid == first.pid and not second.cold


def test_timeout_kills_and_the_next_invocation_cold_starts(handlers):
    with Function(handlers, "handlers.sleep", timeout=1) as fn:
        warm_pid = fn.invoke(b'{"seconds": 0}').pid
        started = time.monotonic()
        timed_out = fn.invoke(b'{"seconds": 30}')
        elapsed = time.monotonic() - started
        after = fn.invoke(b'{"seconds": 0}')
    assert 1.0 <= elapsed < 2.5
    assert not timed_out.cold  # the warm process was the one that timed out
    assert timed_out.status == "timeout" and timed_out.function_error == "Unhandled"
    assert timed_out.error_type == "Sandbox.Timedout"
    assert timed_out.payload == (
        b'{"errorMessage":"RequestId: '
        + timed_out.request_id.encode()
        + b' Error: Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"}'
    )
    lines = timed_out.logs.splitlines()
    assert lines[-3].endswith(f" {timed_out.request_id} Task timed out after 1.00 seconds")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", lines[-3])
    assert "sleeping 30" in timed_out.logs
    assert "\tDuration: 1000.00 ms\t" in timed_out.report
    assert timed_out.report.endswith("\tStatus: timeout\t")
    assert after.ok and after.payload == b'"woke up"'
    assert after.cold and after.pid != warm_pid
    with pytest.raises(ProcessLookupError):
        os.kill(warm_pid, 0)  # killed, and reaped


def test_segfault_is_runtime_exit_error_and_the_process_is_replaced(handlers):
    with Function(handlers, "handlers.segfault") as fn:
        warm_pid = fn.invoke(b"{}").json()
        crashed = fn.invoke(b'{"crash": true}')
        after = fn.invoke(b"{}")
    message = (
        f"RequestId: {crashed.request_id} "
        "Error: Runtime exited with error: signal: segmentation fault"
    )
    assert crashed.status == "error" and crashed.error_type == "Runtime.ExitError"
    assert (
        crashed.payload
        == json.dumps(
            {"errorType": "Runtime.ExitError", "errorMessage": message}, separators=(",", ":")
        ).encode()
    )
    assert not crashed.cold and crashed.pid is None  # the warm process died; none is left
    assert f"about to crash\n{message}\nRuntime.ExitError\nEND RequestId" in crashed.logs
    assert crashed.report.endswith("\tStatus: error\tError Type: Runtime.ExitError\t")
    assert after.ok and after.cold and after.json() == after.pid != warm_pid


def test_exit_status_is_reported_as_go_would(handlers):
    with Function(handlers, "handlers.exit3") as fn:
        result = fn.invoke(b"{}")
    assert result.error_type == "Runtime.ExitError"
    assert result.json()["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")


def test_import_error_comes_from_awslambdaric_through_init_error(write_module):
    module = write_module("broken", "import nonexistent_dependency\n")
    with Function(module, "broken.handler", timeout=2) as fn:
        result = fn.invoke(b"{}")
    assert result.status == "error" and result.function_error == "Unhandled"
    assert result.json() == {
        "errorMessage": "Unable to import module 'broken': "
        "No module named 'nonexistent_dependency'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    # Lambda reports the failed INIT, retries it inside the invocation, then gives up.
    init_reports = re.findall(
        r"INIT_REPORT Init Duration: [\d.]+ ms\tPhase: (\w+)\t(.*)", result.logs
    )
    assert init_reports == [
        ("init", "Status: error\tError Type: Runtime.ImportModuleError"),
        ("invoke", "Status: error\tError Type: Runtime.ImportModuleError"),
    ]
    assert result.logs.index("Phase: invoke") < result.logs.index("START RequestId")
    assert result.report.endswith("\tStatus: error\tError Type: Runtime.ImportModuleError\t")
    assert "Init Duration" not in result.report


def test_missing_handler_function(write_module):
    module = write_module("nohandler", "x = 1\n")
    with Function(module, "nohandler.handler") as fn:
        result = fn.invoke(b"{}")
    assert result.error_type == "Runtime.HandlerNotFound"
    assert result.json()["errorMessage"] == "Handler 'handler' missing on module 'nohandler'"


def test_crash_during_init_is_an_exit_error(write_module):
    module = write_module("crashy", "import os, signal\nos.kill(os.getpid(), signal.SIGABRT)\n")
    with Function(module, "crashy.handler") as fn:
        result = fn.invoke(b"{}")
    assert result.error_type == "Runtime.ExitError"
    assert result.json()["errorMessage"].endswith("Runtime exited with error: signal: aborted")
    assert "Phase: init\tStatus: error\tError Type: Runtime.ExitError" in result.logs


def test_init_that_outlives_the_init_phase_times_out(write_module):
    module = write_module(
        "slowinit", "import time\ntime.sleep(30)\ndef handler(e, c):\n    return 1\n"
    )
    with Function(module, timeout=0.5, init_timeout=0.5) as fn:
        started = time.monotonic()
        result = fn.invoke(b"{}")
        elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert "INIT_REPORT Init Duration: " in result.logs
    assert "Phase: init\tStatus: timeout" in result.logs
    assert "Phase: invoke\tStatus: timeout" in result.logs
    assert result.status == "timeout" and result.error_type == "Sandbox.Timedout"
    assert b"Task timed out after 0.50 seconds" in result.payload


def test_response_size_limit_is_lambdas(handlers):
    with Function(handlers, "handlers.raw", timeout=10) as fn:
        at_limit = fn.invoke({"size": MAX_PAYLOAD_SIZE})
        over = fn.invoke({"size": MAX_PAYLOAD_SIZE + 1})
    assert MAX_PAYLOAD_SIZE == 6 * 1024 * 1024 + 100
    assert at_limit.ok and at_limit.payload == b"x" * MAX_PAYLOAD_SIZE
    assert at_limit.content_type == "application/unknown"
    assert over.status == "error" and over.error_type == "Function.ResponseSizeTooLarge"
    assert over.payload == (
        b'{"errorMessage":"Response payload size exceeded maximum allowed payload size '
        b'(6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}'
    )


def test_request_size_limit_is_lambdas(handlers):
    at_limit = b'"' + b"y" * (MAX_REQUEST_SIZE - 2) + b'"'
    with Function(handlers, "handlers.echo", timeout=10) as fn:
        assert fn.invoke(at_limit).payload == at_limit
        with pytest.raises(InvocationError) as refused:
            fn.invoke(b'"' + b"y" * (MAX_REQUEST_SIZE - 1) + b'"')
    assert refused.value.status == 413
    assert refused.value.error_type == "RequestEntityTooLargeException"
    assert refused.value.message == (
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )


def test_payload_that_is_not_json_is_refused(handlers):
    with Function(handlers, "handlers.echo") as fn:
        with pytest.raises(InvocationError) as refused:
            fn.invoke(b"{not json")
    assert refused.value.status == 400
    assert refused.value.error_type == "InvalidRequestContentException"


def test_a_payload_sent_again_is_not_parsed_again(handlers, monkeypatch):
    """The emulator shares the function's CPU, so it does not parse the same payload for every
    invocation (Lambda's front end does that elsewhere); anything else is still checked."""
    parsed = []
    check = emulator_function._check_json
    monkeypatch.setattr(
        emulator_function, "_check_json", lambda body: parsed.append(body) or check(body)
    )
    event = json.dumps({"records": list(range(100))}).encode()
    with Function(handlers, "handlers.echo") as fn:
        assert fn.invoke(event).payload == event
        assert fn.invoke(event).payload == event
        assert fn.invoke(bytearray(event)).payload == event  # equal bytes, another object
        assert parsed == [event]
        with pytest.raises(InvocationError) as refused:
            fn.invoke(event[:-1])
        assert refused.value.error_type == "InvalidRequestContentException"
        assert fn.invoke(b"").payload == b"{}"
        assert fn.invoke(b"[1]").payload == b"[1]"
        assert fn.invoke(event).payload == event
    assert parsed == [event, event[:-1], b"", b"[1]", event]


REPORT = re.compile(
    r"REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: (?P<duration>\d+\.\d\d) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<memory>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t(?:Init Duration: (?P<init>\d+\.\d\d) ms\t)?"
)


def test_start_end_report_lines_are_lambdas(handlers):
    with Function(handlers, "handlers.echo", memory=512) as fn:
        cold = fn.invoke(b"{}")
        warm = fn.invoke(b"{}")
    for result in (cold, warm):
        lines = result.logs.splitlines()
        assert lines[0] == f"START RequestId: {result.request_id} Version: $LATEST"
        assert lines[1] == f"echo {result.request_id}"
        assert lines[2] == f"END RequestId: {result.request_id}"
        assert lines[3] == result.report
        match = REPORT.fullmatch(result.report)
        assert match and match["id"] == result.request_id and match["memory"] == "512"
        assert 5 < int(match["used"]) < 512
        assert float(match["duration"]) == round(result.duration_ms, 2)
    cold_match, warm_match = REPORT.fullmatch(cold.report), REPORT.fullmatch(warm.report)
    assert cold_match["init"] is not None and warm_match["init"] is None
    # Lambda bills the INIT phase too: billed = ceil(Init Duration + Duration).
    assert int(cold_match["billed"]) == math.ceil(cold.init_duration_ms + cold.duration_ms)
    assert int(warm_match["billed"]) == math.ceil(warm.duration_ms)


def test_duration_ends_when_the_response_arrives_not_when_the_runtime_is_done(handlers):
    # Lambda answers the caller when the runtime POSTs its response; the runtime's own work
    # after that (here freeing a response whose finalizer takes 0.5 s) holds the environment
    # until it asks for the next event, and `invoke()` waits for it, but it is not Duration.
    with Function(handlers, "handlers.slow_to_free") as fn:
        fn.invoke(b'{"seconds": 0}')
        start = time.monotonic()
        result = fn.invoke(b'{"seconds": 0.5}')
        elapsed = time.monotonic() - start
        after = fn.invoke(b'{"seconds": 0}')
    assert result.ok and json.loads(result.payload) == {"freed": "after the POST"}
    assert elapsed >= 0.5
    assert result.duration_ms < 250
    assert after.ok and after.duration_ms < 250


def test_json_log_format_and_level_shape_the_runtimes_logging(handlers):
    with Function(handlers, "handlers.log", log_format="JSON", log_level="INFO") as fn:
        result = fn.invoke(b"{}")
    records = [json.loads(line) for line in result.logs.splitlines() if line.startswith("{")]
    assert [r["message"] for r in records] == ["from logging"]  # DEBUG is filtered out
    assert records[0]["level"] == "INFO" and records[0]["requestId"] == result.request_id
    assert "from print" in result.logs


def test_logs_stream_to_the_sink_in_order(handlers):
    chunks: list[bytes] = []
    with Function(handlers, "handlers.echo", log_sink=chunks.append) as fn:
        result = fn.invoke(b"{}")
    assert b"".join(chunks).decode() == result.logs


def test_zip_artifact_is_unpacked_into_the_task_dir(tmp_path):
    package = tmp_path / "function.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "import helper\ndef handler(e, c):\n    return helper.VALUE\n")
        archive.writestr("helper/__init__.py", "VALUE = 42\n")
    with Function(package, "app.handler") as fn:
        assert fn.invoke(b"{}").payload == b"42"


def test_default_handler_is_the_single_modules_handler(write_module, tmp_path):
    module = write_module("solo", "def handler(e, c):\n    return 'solo'\n")
    with Function(module) as fn:
        assert fn.handler == "solo.handler" and fn.name == "solo"
        assert fn.invoke(b"{}").payload == b'"solo"'
    write_module("other", "")
    with pytest.raises(ArtifactError, match="pass --handler"):
        Function(tmp_path)


def test_python_option_selects_the_interpreter(handlers, tmp_path):
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nexport MY_VAR=wrapped\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    with Function(handlers, "handlers.describe", python=str(wrapper)) as fn:
        assert fn.invoke(b"{}").json()["env"]["MY_VAR"] == "wrapped"


def test_task_dir_is_removed_on_close(handlers):
    fn = Function(handlers, "handlers.echo")
    fn.invoke(b"{}")
    pid = fn.pid
    fn.close()
    assert not fn.task_dir.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


TICKER = """
    import threading, time

    ticks = 0

    def _tick():
        global ticks
        while True:
            ticks += 1
            time.sleep(0.005)

    def handler(event, context):
        if event.get("start"):
            threading.Thread(target=_tick, daemon=True).start()
        return ticks
"""


def _process_state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


@pytest.mark.parametrize("freeze", [True, False])
def test_idle_environment_is_frozen_like_lambdas(write_module, freeze):
    module = write_module("ticker", TICKER)
    with Function(module, freeze=freeze) as fn:
        fn.invoke({"start": True})
        before = fn.invoke({}).json()
        time.sleep(0.3)
        state = _process_state(fn.pid)  # SIGSTOP lands asynchronously; 0.3 s is ample
        after = fn.invoke({}).json()
    if freeze:
        assert state == "T"  # stopped between invocations
        assert after - before < 10  # the thread only ran while an invocation did
    else:
        assert state != "T"
        assert after - before > 20


def test_a_frozen_runtime_does_not_outlive_a_killed_emulator(handlers, tmp_path):
    script = tmp_path / "killed.py"
    script.write_text(
        "import os, signal\n"
        "from pylambda.emulator import Function\n"
        f"fn = Function({str(handlers)!r}, 'handlers.echo')\n"
        "fn.invoke(b'{}')\n"
        "print(fn.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    pid = int(done.stdout)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if _process_state(pid) == "Z":
                break  # dead, waiting for whoever adopted it to reap it
        except FileNotFoundError:
            break  # dead and reaped
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail(f"runtime {pid} survived its emulator (state {_process_state(pid)})")
