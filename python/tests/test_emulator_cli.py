"""`python -m pylambda invoke`: stdout, stderr and exit status, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pylambda.emulator import Function
from pylambda.emulator.samples import load_sample_event, sample_event_names

HANDLERS = """
    import time

    def handler(event, context):
        print("log line for", context.aws_request_id)
        return event

    def fail(event, context):
        raise ValueError("name must not be empty")

    def sleep(event, context):
        time.sleep(30)
"""

SOURCES = ["apigw-v1", "apigw-v2", "alb", "sqs", "sns", "s3", "dynamodb", "eventbridge"]
SOURCES += ["kinesis", "cognito", "hello"]


def invoke(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pylambda", "invoke", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def module(write_module):
    return str(write_module("app", HANDLERS))


def test_stdout_is_exactly_the_response_and_logs_go_to_stderr(module, tmp_path):
    event = tmp_path / "event.json"
    event.write_bytes(b'{"a": [1, 2.5, "x"]}')
    done = invoke(module, "--event", str(event))
    assert done.returncode == 0
    assert done.stdout == b'{"a": [1, 2.5, "x"]}'
    err = done.stderr.decode()
    assert "log line for" in err and "START RequestId:" in err and "REPORT RequestId:" in err


def test_event_from_stdin_and_default_empty_event(module):
    assert invoke(module, "--event", "-", stdin=b'{"from": "stdin"}').stdout == b'{"from": "stdin"}'
    assert invoke(module).stdout == b"{}"


def test_function_error_prints_the_error_json_and_exits_1(module):
    done = invoke(module, "--handler", "app.fail")
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "name must not be empty"


def test_timeout_option(module):
    done = invoke(module, "--handler", "app.sleep", "--timeout", "1")
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert b"Status: timeout" in done.stderr


def test_repeat_reuses_one_warm_environment(module):
    done = invoke(module, "--event", "-", "--repeat", "3", "--memory", "256", stdin=b"[1]")
    assert done.returncode == 0
    assert done.stdout == b"[1]\n[1]\n[1]"
    reports = [line for line in done.stderr.decode().splitlines() if line.startswith("REPORT")]
    assert len(reports) == 3
    assert ["Init Duration" in line for line in reports] == [True, False, False]
    assert all("\tMemory Size: 256 MB\t" in line for line in reports)


def test_bad_artifact_or_event_exits_2(module, tmp_path):
    missing = invoke(str(tmp_path / "missing.so"))
    assert missing.returncode == 2 and b"artifact not found" in missing.stderr
    no_event = invoke(module, "--event", "no-such-sample")
    assert no_event.returncode != 0 and b"no such file or sample event" in no_event.stderr
    too_big = invoke(module, "--event", "-", stdin=b'"' + b"a" * (6 * 1024 * 1024) + b'"')
    assert too_big.returncode == 2 and b"RequestEntityTooLargeException" in too_big.stderr


def test_every_event_source_has_a_sample():
    assert sorted(SOURCES) == sample_event_names()


@pytest.mark.parametrize("name", SOURCES)
def test_sample_events_reach_a_python_handler_intact(name, write_module, same_json):
    raw = load_sample_event(name)
    with Function(write_module("echo", "def handler(e, c):\n    return e\n")) as fn:
        result = fn.invoke(raw)
    assert result.ok
    assert same_json(json.loads(result.payload), json.loads(raw))
