"""The lines and error bodies the Lambda platform itself writes, in Lambda's exact wording.

Sources: the formats seen in CloudWatch Logs and in Invoke responses of real functions, and
RAPID's source (aws-lambda-runtime-interface-emulator) for the process-exit wording, which RAPID
keeps byte-compatible with Go's `exec.ExitError` on purpose ("We used to rely on this format to
report errors to customer", supervisor/model/model.go).

- `START RequestId: <id> Version: $LATEST`
- `END RequestId: <id>`
- `REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t`
  `Max Memory Used: 40 MB\t[Init Duration: 95.00 ms\t][Status: timeout\t|Status: error\t`
  `Error Type: Runtime.ExitError\t]`
- `INIT_REPORT Init Duration: 80.49 ms\tPhase: init\tStatus: error\tError Type: <type>`
- a timeout: log `<UTC time> <id> Task timed out after 1.00 seconds`, payload
  `{"errorMessage":"RequestId: <id> Error: Task timed out after 1.00 seconds",`
  `"errorType":"Sandbox.Timedout"}`
- a runtime process that dies: log `RequestId: <id> Error: Runtime exited with error: signal:
  segmentation fault` then `Runtime.ExitError`, payload `{"errorType":"Runtime.ExitError",
  "errorMessage":"RequestId: <id> Error: Runtime exited with error: signal: segmentation fault"}`.
  (The two payloads really do order their keys differently.)
"""

from __future__ import annotations

import json
import math
import os
import time

VERSION = "$LATEST"

# Go's syscall.Signal.String() on Linux, which RAPID prints after "signal: ".
_GO_SIGNAL_NAMES = {
    1: "hangup",
    2: "interrupt",
    3: "quit",
    4: "illegal instruction",
    5: "trace/breakpoint trap",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    10: "user defined signal 1",
    11: "segmentation fault",
    12: "user defined signal 2",
    13: "broken pipe",
    14: "alarm clock",
    15: "terminated",
    16: "stack fault",
    17: "child exited",
    18: "continued",
    19: "stopped (signal)",
    20: "stopped",
    21: "stopped (tty input)",
    22: "stopped (tty output)",
    23: "urgent I/O condition",
    24: "CPU time limit exceeded",
    25: "file size limit exceeded",
    26: "virtual timer expired",
    27: "profiling timer expired",
    28: "window changed",
    29: "I/O possible",
    30: "power failure",
    31: "bad system call",
}


def exit_description(wait_status: int) -> str:
    """RAPID's wording for a runtime process that ended, from a `waitpid` status."""
    if os.WIFSIGNALED(wait_status):
        signo = os.WTERMSIG(wait_status)
        return "Runtime exited with error: signal: " + _GO_SIGNAL_NAMES.get(
            signo, f"signal {signo}"
        )
    code = os.waitstatus_to_exitcode(wait_status)
    if code == 0:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {code}"


def start_line(request_id: str) -> str:
    return f"START RequestId: {request_id} Version: {VERSION}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def billed_ms(duration_ms: float, init_duration_ms: float | None) -> int:
    """Billed Duration: whole milliseconds, rounded up.

    Since August 2025 Lambda bills the INIT phase of on-demand functions too, so a cold start's
    Billed Duration covers Init Duration + Duration (a real REPORT line: Duration 12.68 ms,
    Init Duration 295.33 ms, Billed Duration 309 ms).
    """
    total = duration_ms + (init_duration_ms or 0.0)
    return max(1, math.ceil(round(total, 6)))


def report_line(
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    max_memory_used_mb: int,
    init_duration_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    """The REPORT line; `status` is None (success), "timeout" or "error"."""
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_ms(duration_ms, init_duration_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_used_mb} MB",
    ]
    if init_duration_ms is not None:
        fields.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status:
        fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\t\n"


def init_report_line(
    duration_ms: float, phase: str, status: str, error_type: str | None = None
) -> str:
    """INIT_REPORT, which Lambda writes when an init phase fails or times out."""
    fields = [
        f"INIT_REPORT Init Duration: {duration_ms:.2f} ms",
        f"Phase: {phase}",
        f"Status: {status}",
    ]
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\n"


def timeout_message(request_id: str, timeout_s: float) -> str:
    return f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds"


def timeout_log_line(request_id: str, timeout_s: float, now: float | None = None) -> str:
    now = time.time() if now is None else now
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    return f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds\n"


def timeout_payload(request_id: str, timeout_s: float) -> bytes:
    body = {"errorMessage": timeout_message(request_id, timeout_s), "errorType": "Sandbox.Timedout"}
    return json.dumps(body, separators=(",", ":")).encode()


def platform_error_message(request_id: str, description: str) -> str:
    return f"RequestId: {request_id} Error: {description}"


def platform_error_log(request_id: str, description: str, error_type: str) -> str:
    return f"{platform_error_message(request_id, description)}\n{error_type}\n"


def platform_error_payload(request_id: str, description: str, error_type: str) -> bytes:
    body = {
        "errorType": error_type,
        "errorMessage": platform_error_message(request_id, description),
    }
    return json.dumps(body, separators=(",", ":")).encode()
