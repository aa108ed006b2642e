//! `liberrors`: what callers see when things go wrong.
//!
//! | handler | outcome |
//! |---|---|
//! | `ok` | `{"ok": true}` |
//! | `fail` | errorType `ValidationError`, message `name must not be empty` |
//! | `panic` | errorType `RustPanic`, message `boom`; the process keeps serving |
//! | `panic_any` | a panic whose payload is not a string |
//! | `async_panic` | a panic inside an `async` handler |
//! | `unserializable` | a response whose `Serialize` impl fails: `SerializeError` |
//! | `sleep` | sleeps `{"seconds": N}` (for timeouts) and returns `{"slept": N}` |
//! | `strict` | a typed event: `{"name": str, "count": u8}`; anything else is a `DeserializeError` naming the path |

use std::fmt;
use std::time::Duration;

use pylambda::{Context, Diagnostic, Error};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{json, Value};

/// A domain error with its own errorType, for Step Functions `Catch` to match on.
#[derive(Debug)]
pub struct ValidationError(pub String);

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValidationError {}

impl From<ValidationError> for Diagnostic {
    fn from(e: ValidationError) -> Diagnostic {
        Diagnostic::new("ValidationError", e.0)
    }
}

pub fn ok(_event: Value, _ctx: Context) -> Result<Value, Error> {
    Ok(json!({"ok": true}))
}

pub fn fail(_event: Value, _ctx: Context) -> Result<Value, ValidationError> {
    Err(ValidationError("name must not be empty".into()))
}

pub fn panic(_event: Value, _ctx: Context) -> Result<Value, Error> {
    panic!("boom")
}

pub fn panic_any(_event: Value, _ctx: Context) -> Result<Value, Error> {
    std::panic::panic_any(42_u32)
}

pub async fn async_panic(_event: Value, _ctx: Context) -> Result<Value, Error> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    panic!("boom in async")
}

/// A value whose serialization always fails.
pub struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "this value refuses to be serialized",
        ))
    }
}

#[derive(Serialize)]
pub struct Wrapped {
    pub items: Vec<Unserializable>,
}

pub fn unserializable(_event: Value, _ctx: Context) -> Result<Wrapped, Error> {
    Ok(Wrapped {
        items: vec![Unserializable],
    })
}

#[derive(Deserialize)]
pub struct SleepRequest {
    pub seconds: f64,
}

pub fn sleep(event: SleepRequest, _ctx: Context) -> Result<Value, Error> {
    std::thread::sleep(Duration::from_secs_f64(event.seconds.max(0.0)));
    Ok(json!({"slept": event.seconds}))
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Strict {
    pub name: String,
    pub count: u8,
}

pub fn strict(event: Strict, _ctx: Context) -> Result<Strict, Error> {
    Ok(event)
}

pylambda::lambda! {
    "ok" => ok,
    "fail" => fail,
    "panic" => panic,
    "panic_any" => panic_any,
    "async_panic" => async_panic,
    "unserializable" => unserializable,
    "sleep" => sleep,
    "strict" => strict,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_names_its_error_type() {
        let d: Diagnostic = fail(json!({}), Context::default()).unwrap_err().into();
        assert_eq!(
            d,
            Diagnostic::new("ValidationError", "name must not be empty")
        );
    }

    #[test]
    fn ok_is_ok() {
        assert_eq!(
            ok(json!({}), Context::default()).unwrap(),
            json!({"ok": true})
        );
    }
}
