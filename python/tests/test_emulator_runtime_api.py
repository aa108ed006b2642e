"""The Runtime API contract, exercised from inside a running function.

Handlers here call the Runtime API themselves (at AWS_LAMBDA_RUNTIME_API, as any runtime client
would) and report what it answered, so every check goes through the same server, state and
process that awslambdaric uses.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pylambda.emulator import Function
from pylambda.emulator.http11 import RequestReader
from pylambda.emulator.runtime_api import platform_error_type

HANDLERS = """
    import http.client, json, os, socket

    API = os.environ["AWS_LAMBDA_RUNTIME_API"]

    def call(method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection(API, timeout=5)
        conn.request(method, "/2018-06-01" + path, body, headers or {})
        response = conn.getresponse()
        answer = {"status": response.status, "body": response.read().decode(),
                  "type": response.getheader("Content-Type")}
        conn.close()
        return answer

    def unknown_id(event, context):
        return call("POST", "/runtime/invocation/not-the-current-id/response", b"{}")

    def unknown_path(event, context):
        return call("GET", "/runtime/nothing-here")

    def init_error_after_init(event, context):
        return call("POST", "/runtime/init/error", b"{}",
                    {"Lambda-Runtime-Function-Error-Type": "Runtime.Late"})

    def respond_twice(event, context):
        path = f"/runtime/invocation/{context.aws_request_id}/response"
        first = call("POST", path, b'{"first": true}')
        second = call("POST", path, b'{"second": true}')
        print("ANSWERS " + json.dumps([first, second]), flush=True)
        os._exit(0)  # awslambdaric must not post a third time

    def raw_error(event, context):
        call("POST", f"/runtime/invocation/{context.aws_request_id}/error",
             b'{"errorMessage": "custom", "errorType": "Function.Custom"}',
             {"Lambda-Runtime-Function-Error-Type": "Function.Custom"})
        os._exit(0)

    def chunked_with_continue(event, context):
        # What a client other than libcurl-with-Expect-cleared may send.
        sock = socket.create_connection(API.split(":"))
        path = f"/2018-06-01/runtime/invocation/{context.aws_request_id}/response"
        head = (f"POST {path} HTTP/1.1\\r\\nHost: runtime\\r\\n"
                "Transfer-Encoding: chunked\\r\\nExpect: 100-continue\\r\\n\\r\\n")
        sock.sendall(head.encode())
        interim = sock.recv(100)
        sock.sendall(b"5\\r\\n{\\"a\\":\\r\\n3\\r\\n 1}\\r\\n0\\r\\n\\r\\n")
        final = sock.recv(1000)
        print("INTERIM " + interim.decode().split("\\r\\n")[0], flush=True)
        print("FINAL " + final.decode().split("\\r\\n")[0], flush=True)
        os._exit(0)
"""


def _invoke(write_module, handler: str):
    module = write_module("api", HANDLERS)
    with Function(module, f"api.{handler}") as fn:
        return fn.invoke(b"{}")


def test_unknown_request_id_is_400_invalid_request_id(write_module):
    answer = _invoke(write_module, "unknown_id").json()
    assert answer["status"] == 400
    assert answer["type"] == "application/json"
    assert (
        answer["body"] == '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n'
    )


def test_unknown_path_is_404(write_module):
    assert _invoke(write_module, "unknown_path").json()["status"] == 404


def test_init_error_after_init_is_an_invalid_state_transition(write_module):
    answer = _invoke(write_module, "init_error_after_init").json()
    assert answer["status"] == 403
    assert json.loads(answer["body"]) == {
        "errorMessage": "State transition from Running to InitError failed for runtime. "
        "Error: State transition is not allowed",
        "errorType": "InvalidStateTransition",
    }


def test_second_response_is_refused_and_the_first_one_wins(write_module):
    result = _invoke(write_module, "respond_twice")
    first, second = json.loads(result.logs.split("ANSWERS ", 1)[1].splitlines()[0])
    assert first["status"] == 202 and json.loads(first["body"]) == {"status": "OK"}
    assert second["status"] == 403
    assert json.loads(second["body"])["errorMessage"].startswith(
        "State transition from RuntimeResponseSentState to InvocationResponse failed"
    )
    assert result.ok and result.payload == b'{"first": true}'
    # The runtime then exited without asking for more work, which Lambda reports.
    assert "Error: Runtime exited without providing a reason\nRuntime.ExitError" in result.logs


def test_error_endpoint_passes_the_body_through(write_module):
    result = _invoke(write_module, "raw_error")
    assert result.status == "error" and result.function_error == "Unhandled"
    assert result.payload == b'{"errorMessage": "custom", "errorType": "Function.Custom"}'
    assert result.error_type == "Function.Custom"


def test_chunked_body_and_expect_continue(write_module):
    result = _invoke(write_module, "chunked_with_continue")
    assert "INTERIM HTTP/1.1 100 Continue" in result.logs
    assert "FINAL HTTP/1.1 202 Accepted" in result.logs
    assert result.payload == b'{"a": 1}'


def test_error_types_are_validated_like_rapid():
    assert platform_error_type("Runtime.ImportModuleError") == "Runtime.ImportModuleError"
    assert platform_error_type("Function.ResponseSizeTooLarge") == "Function.ResponseSizeTooLarge"
    assert platform_error_type("Function.lowercase") == "Function.Unknown"
    assert platform_error_type("ValueError") == "Runtime.Unknown"
    assert platform_error_type(None) == "Runtime.Unknown"


REQUESTS = (
    b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
    b"POST /a HTTP/1.1\r\nContent-Length: 5\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\nhello"
    b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
    b"POST /c HTTP/1.0\r\nContent-Length: 0\r\n\r\n"
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(REQUESTS)), max_size=12))
def test_request_reader_is_indifferent_to_how_bytes_arrive(cuts):
    reader = RequestReader()
    points = sorted(set(cuts)) + [len(REQUESTS)]
    requests, start = [], 0
    for point in points:
        requests += reader.feed(REQUESTS[start:point])
        start = point
    assert [(r.method, r.target, r.body) for r in requests] == [
        ("GET", "/2018-06-01/runtime/invocation/next", b""),
        ("POST", "/a", b"hello"),
        ("POST", "/b", b"abcde"),
        ("POST", "/c", b""),
    ]
    assert requests[1].headers["x-dup"] == "1, 2"
    assert [r.keep_alive for r in requests] == [True, True, True, False]
