"""`serve`: Lambda's Invoke API, driven by the real boto3 (and the AWS CLI when installed)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pylambda.emulator import MAX_REQUEST_SIZE, Function
from pylambda.emulator.invoke_api import make_server, resolve_function_name

HANDLERS = """
    import os, time

    def handler(event, context):
        if event.get("fail"):
            raise KeyError("missing")
        if event.get("sleep"):
            time.sleep(event["sleep"])
        print("handled", context.aws_request_id)
        return {"event": event, "pid": os.getpid(),
                "custom": context.client_context.custom if context.client_context else None}
"""

DUMMY_CREDENTIALS = {"aws_access_key_id": "x", "aws_secret_access_key": "x"}


def lambda_client(endpoint_url: str):
    return boto3.client(
        "lambda",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, read_timeout=30),
        **DUMMY_CREDENTIALS,
    )


@pytest.fixture
def server(write_module):
    module = write_module("svc", HANDLERS)
    server = make_server(lambda: Function(module, timeout=5), max_environments=4)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    thread.join()
    server.server_close()


def test_boto3_invoke_returns_the_payload(server):
    client = lambda_client(server.endpoint_url)
    response = client.invoke(FunctionName="svc", Payload=b'{"a": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    body = json.loads(response["Payload"].read())
    assert body["event"] == {"a": 1}


def test_boto3_sees_function_error_unhandled(server):
    response = lambda_client(server.endpoint_url).invoke(FunctionName="svc", Payload=b'{"fail": 1}')
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "KeyError" and error["errorMessage"] == "'missing'"


def test_log_type_tail_returns_the_last_4kb_of_logs(server):
    response = lambda_client(server.endpoint_url).invoke(
        FunctionName="svc", Payload=b"{}", LogType="Tail"
    )
    tail = base64.b64decode(response["LogResult"]).decode()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in tail
    assert f"handled {request_id}" in tail
    assert tail.rstrip("\n").splitlines()[-1].startswith(f"REPORT RequestId: {request_id}\t")


def test_client_context_reaches_the_function(server):
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    response = lambda_client(server.endpoint_url).invoke(
        FunctionName="svc", Payload=b"{}", ClientContext=context
    )
    assert json.loads(response["Payload"].read())["custom"] == {"k": "v"}


def test_function_is_found_by_arn_and_not_by_another_name(server):
    client = lambda_client(server.endpoint_url)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:svc"
    assert client.invoke(FunctionName=arn, Payload=b"{}")["StatusCode"] == 200
    with pytest.raises(ClientError) as missing:
        client.invoke(FunctionName="other", Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:other" in str(
        missing.value
    )


def test_request_over_6mb_is_413(server):
    client = lambda_client(server.endpoint_url)
    with pytest.raises(ClientError) as refused:
        client.invoke(FunctionName="svc", Payload=b'"' + b"z" * MAX_REQUEST_SIZE + b'"')
    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_event_and_dry_run_invocation_types(server):
    client = lambda_client(server.endpoint_url)
    assert client.invoke(FunctionName="svc", InvocationType="Event", Payload=b"{}")[
        "StatusCode"
    ] == (202)
    assert client.invoke(FunctionName="svc", InvocationType="DryRun")["StatusCode"] == 204


def test_concurrent_requests_get_their_own_environments(server):
    client = lambda_client(server.endpoint_url)

    def call(_):
        response = client.invoke(FunctionName="svc", Payload=b'{"sleep": 1}')
        return json.loads(response["Payload"].read())["pid"]

    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        pids = list(pool.map(call, range(3)))
    assert time.monotonic() - started < 2.5  # in parallel: one after another takes 3 s
    assert len(set(pids)) == 3


def test_resolve_function_name_accepts_every_documented_form():
    assert resolve_function_name("my-function") == ("my-function", None)
    assert resolve_function_name("my-function:v1") == ("my-function", "v1")
    assert resolve_function_name("123456789012:function:my-function") == ("my-function", None)
    arn = "arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction%3Amy-function%3A%24LATEST"
    assert resolve_function_name(arn) == ("my-function", "$LATEST")


def test_serve_command_with_boto3_and_sigterm(write_module):
    module = write_module("svc", HANDLERS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pylambda", "serve", str(module), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = proc.stderr.readline()
        assert "function svc (svc.handler) listening on http://127.0.0.1:" in banner, banner
        endpoint = banner.rsplit(" ", 1)[1].strip()
        response = lambda_client(endpoint).invoke(FunctionName="svc", Payload=b'{"n": 7}')
        assert json.loads(response["Payload"].read())["event"] == {"n": 7}
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "REPORT RequestId:" in err


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_invoke(server, tmp_path):
    out = tmp_path / "out.json"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    version = subprocess.run(["aws", "--version"], capture_output=True, text=True, env=env)
    if version.returncode != 0:
        pytest.skip(f"the AWS CLI does not run here: {version.stderr.strip()}")
    binary_format = (
        []
        if version.stdout.startswith("aws-cli/1")
        else ["--cli-binary-format", "raw-in-base64-out"]
    )
    completed = subprocess.run(
        ["aws", "lambda", "invoke", "--endpoint-url", server.endpoint_url, "--function-name", "svc",
         "--payload", '{"fail": 1}', *binary_format, str(out)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    metadata = json.loads(completed.stdout)
    assert metadata["StatusCode"] == 200 and metadata["FunctionError"] == "Unhandled"
    assert json.loads(out.read_text())["errorType"] == "KeyError"
