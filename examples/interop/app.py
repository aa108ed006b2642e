"""A Python handler that calls Rust functions exported by the same package's `libinterop.so`.

A gradual port: the handler stays in Python, the hot or tricky parts move to Rust one function
at a time. Errors raised by Rust are the module's own exception classes, catchable here.
"""

import base64
import logging

import libinterop

logger = logging.getLogger(__name__)


def handler(event, context):
    pixels = base64.b64decode(event["image"])
    print("python: calling rust")
    try:
        thumbnail = libinterop.resize(
            pixels, event["width"], event["height"], event["thumb_width"], event["thumb_height"]
        )
    except Exception as exc:  # libinterop.resize raises InvalidImage (its Diagnostic type)
        logger.warning("rejected: %s: %s", type(exc).__name__, exc)
        return {"statusCode": 400, "error": type(exc).__name__, "message": str(exc)}
    print("python: rust returned")
    return {
        "statusCode": 200,
        "checksum": libinterop.checksum(pixels),
        "thumbnail": base64.b64encode(thumbnail).decode(),
        "requestId": context.aws_request_id,
    }
