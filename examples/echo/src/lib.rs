//! `libecho.handler`: returns the event unchanged, through `serde_json::Value`.
//!
//! The smallest possible function, and the one the conversion tests and benchmarks use: what
//! comes back must be `==` to what went in, with every type kept. `libecho.raw` answers the
//! same as JSON text (see [`raw`]).

use pylambda::Error;
use serde_json::value::RawValue;
use serde_json::Value;

/// Returns the event as it came. It takes no `Context`, so pylambda does not read the
/// runtime's context object for it.
pub fn handler(event: Value) -> Result<Value, Error> {
    Ok(event)
}

/// The same echo, answering with JSON text (`RawValue`) that the runtime's encoder writes as
/// it is: for large responses this skips building Python objects and encoding them again.
/// (Called from plain Python, it returns a `simplejson.RawJSON`.)
pub fn raw(event: Value) -> Result<Box<RawValue>, Error> {
    Ok(serde_json::value::to_raw_value(&event)?)
}

pylambda::lambda! {
    "handler" => handler,
    "raw" => raw,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn returns_the_event() {
        let event = json!({"a": [1, 2.5, "x", null, true]});
        assert_eq!(handler(event.clone()).unwrap(), event);
    }
}
