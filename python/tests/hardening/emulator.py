"""Helpers for the hardening suites that run functions in the local Lambda emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from pylambda.emulator import Function, Result

RELEASE = Path(__file__).resolve().parents[3] / "target" / "release"


def artifact(name: str) -> Path:
    """target/release/NAME, built by `make build-examples` (which `make test` runs first)."""
    path = RELEASE / name
    if not path.is_file():
        pytest.fail(f"{path} is not built: run `make build-examples`")
    return path


def invoke_raw(fn: Function, payload: bytes, content_type: str) -> Result:
    """Invoke `fn` with a payload handed to the runtime as it is, under `content_type`.

    Lambda's runtime client decodes only `application/json` events; any other content type
    reaches the handler as raw `bytes` (awslambdaric's `unmarshal_request`).
    """
    return fn.invoke(payload, content_type=content_type)


def nested(depth: int) -> bytes:
    """`depth` nested JSON arrays around a 0, as text."""
    return b"[" * depth + b"0" + b"]" * depth
