"""`rawjson_echo.handler`: the JSON-text prototype (`proto_echo_json`) as the runtime sees it.

simplejson's encoder (awslambdaric's marshaller) writes a `RawJSON` object's text verbatim, so
the Rust handler's serde_json output becomes the response without Python objects in between,
and the content type stays `application/json` (returning `bytes` would send it as
`application/unknown`). pylambda's entry point could do this wrapping itself.
"""

from libproto_echo_json import handler as _rust_handler
from simplejson import RawJSON


def handler(event, context):
    return RawJSON(_rust_handler(event, context))
