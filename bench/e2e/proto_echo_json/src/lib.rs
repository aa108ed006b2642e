//! Prototype for the breakdown (docs/benchmarks-e2e.md), not a system of the comparison:
//! `examples/echo` whose response is already JSON. awslambdaric sends a handler's `bytes` as they
//! are (content type `application/unknown`), so the response skips pylambda's `Value` → Python
//! conversion, simplejson's encoder and freeing the response's Python objects; serde_json
//! writes the bytes instead. What a `pylambda` option for JSON-bytes responses would save.

use pylambda::{Context, Error};
use serde_bytes::ByteBuf;
use serde_json::Value;

/// Returns the event, serialized by serde_json.
pub fn handler(event: Value, _ctx: Context) -> Result<ByteBuf, Error> {
    Ok(ByteBuf::from(serde_json::to_vec(&event)?))
}

pylambda::lambda!(handler);
