"""The environment variables Lambda's Python runtime gives the function process.

Lambda starts the runtime with a clean environment, not the caller's: so do we, keeping from the
host only what an interpreter on this machine needs to start (PATH, LD_LIBRARY_PATH).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field


@dataclass
class FunctionConfig:
    """The function's configuration, as Lambda's API would hold it."""

    name: str
    handler: str
    memory_mb: int = 128
    timeout_s: float = 3.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    version: str = "$LATEST"
    log_format: str | None = None  # "JSON" or "Text"; None leaves it unset, like Lambda's default
    log_level: str | None = None  # application log level, with JSON logs
    env: dict[str, str] = field(default_factory=dict)  # the function's own variables

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"


@functools.cache
def interpreter_version(python: str) -> tuple[int, int]:
    """(major, minor) of the interpreter at `python`, asked once per path."""
    try:
        if os.path.samefile(python, sys.executable):
            return sys.version_info[:2]
    except OSError:
        pass
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    major, minor = out.strip().split(".")
    return int(major), int(minor)


def log_stream_name(version: str = "$LATEST") -> str:
    """A new stream per execution environment, as Lambda names them."""
    return time.strftime("%Y/%m/%d", time.gmtime()) + f"/[{version}]{uuid.uuid4().hex}"


def lambda_environment(
    config: FunctionConfig,
    task_root: str,
    runtime_api: str,
    python_version: tuple[int, int] | None,
    log_stream: str,
) -> dict[str, str]:
    """The variables Lambda sets for a python3.X function, then the function's own.

    `python_version` None means an OS-only runtime (`provided.al2023`): Lambda sets neither
    `AWS_EXECUTION_ENV` nor `PYTHONPATH` there.
    """
    host_ld = os.environ.get("LD_LIBRARY_PATH", "")
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        # Lambda puts /var/task and /var/task/lib on the loader path: a .so's own shared
        # libraries can ship in the package's lib/.
        "LD_LIBRARY_PATH": ":".join(p for p in (host_ld, task_root, f"{task_root}/lib") if p),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": task_root,
        "_HANDLER": config.handler,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_VERSION": config.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
        "_AWS_XRAY_DAEMON_PORT": "2000",
    }
    if python_version is not None:
        env["PYTHONPATH"] = task_root
        env["AWS_EXECUTION_ENV"] = "AWS_Lambda_python{}.{}".format(*python_version)
    if config.log_format:
        env["AWS_LAMBDA_LOG_FORMAT"] = config.log_format
    if config.log_level:
        env["AWS_LAMBDA_LOG_LEVEL"] = config.log_level
    env.update(config.env)
    return env
