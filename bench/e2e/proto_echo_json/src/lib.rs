//! Prototype for the breakdown (docs/benchmarks-e2e.md), not a system of the comparison:
//! `examples/echo` whose response is already JSON text, written by serde_json.
//!
//! `functions/rawjson_echo.py` hands it to awslambdaric wrapped in `simplejson.RawJSON`, which
//! simplejson's encoder copies into its output as is: the response keeps the content type
//! `application/json` but skips pylambda's `Value` → Python conversion, simplejson encoding
//! thousands of objects, and freeing them. What a JSON-text response mode in pylambda's entry
//! point would save.

use pylambda::{Context, Error};
use serde_json::Value;

/// Returns the event as JSON text.
pub fn handler(event: Value, _ctx: Context) -> Result<String, Error> {
    Ok(serde_json::to_string(&event)?)
}

pylambda::lambda!(handler);
