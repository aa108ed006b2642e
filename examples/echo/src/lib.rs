//! `libecho.handler`: returns the event unchanged, through `serde_json::Value`.
//!
//! The smallest possible function, and the one the conversion tests and benchmarks use: what
//! comes back must be `==` to what went in, with every type kept.

use pylambda::{Context, Error};
use serde_json::Value;

/// Returns the event as it came.
pub fn handler(event: Value, _ctx: Context) -> Result<Value, Error> {
    Ok(event)
}

pylambda::lambda!(handler);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn returns_the_event() {
        let event = json!({"a": [1, 2.5, "x", null, true]});
        assert_eq!(handler(event.clone(), Context::default()).unwrap(), event);
    }
}
