//! Errors a handler returns, and how each failure becomes the Python exception — and so the
//! Lambda `errorType` / `errorMessage` — that callers see.
//!
//! The runtime reports `type(exc).__name__` as `errorType` and `str(exc)` as
//! `errorMessage`, so the exception *class name* is the contract: Step Functions `Retry` and
//! `Catch` match on it. [`Diagnostic`] mirrors `lambda_runtime::Diagnostic` (same fields, same
//! default `error_type` convention), so a handler ports between the two unchanged.

use std::any::type_name;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The catch-all error type for handlers, as in `lambda_runtime`: any error converts into it
/// with `?`, and it converts into a [`Diagnostic`].
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a failed invocation reports: `errorType` and `errorMessage`.
///
/// A handler returns `Result<R, E>` for any `E: Into<Diagnostic>`. The conversions provided
/// name the error after its Rust type, exactly as `lambda_runtime` does; implement
/// `From<YourError> for Diagnostic` to choose a name callers can match on:
///
/// ```
/// use pylambda::Diagnostic;
///
/// struct EmptyName;
///
/// impl From<EmptyName> for Diagnostic {
///     fn from(_: EmptyName) -> Diagnostic {
///         Diagnostic::new("ValidationError", "name must not be empty")
///     }
/// }
///
/// let d: Diagnostic = EmptyName.into();
/// assert_eq!(d.error_type, "ValidationError");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Becomes `errorType`: the class name of the exception raised in Python.
    pub error_type: String,
    /// Becomes `errorMessage`: `str()` of the exception.
    pub error_message: String,
}

impl Diagnostic {
    /// A diagnostic with an explicit error type.
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            error_type: error_type.into(),
            error_message: error_message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.error_message)
    }
}

/// `type_name` of the value as passed, mirroring `lambda_runtime`'s helper (which is called
/// with a reference, hence the leading `&` in the names it produces).
fn type_name_of_val<T>(_: T) -> String {
    type_name::<T>().into()
}

impl From<Error> for Diagnostic {
    fn from(value: Error) -> Self {
        Diagnostic {
            error_type: type_name_of_val(&value),
            error_message: value.to_string(),
        }
    }
}

impl From<Box<dyn std::error::Error>> for Diagnostic {
    fn from(value: Box<dyn std::error::Error>) -> Self {
        Diagnostic {
            error_type: type_name_of_val(&value),
            error_message: value.to_string(),
        }
    }
}

impl From<std::convert::Infallible> for Diagnostic {
    fn from(value: std::convert::Infallible) -> Self {
        match value {}
    }
}

impl From<String> for Diagnostic {
    fn from(value: String) -> Self {
        Diagnostic {
            error_type: type_name_of_val(&value),
            error_message: value,
        }
    }
}

impl From<&'static str> for Diagnostic {
    fn from(value: &'static str) -> Self {
        Diagnostic {
            error_type: type_name_of_val(&value),
            error_message: value.to_owned(),
        }
    }
}

impl From<std::io::Error> for Diagnostic {
    fn from(value: std::io::Error) -> Self {
        Diagnostic {
            error_type: type_name_of_val(&value),
            error_message: value.to_string(),
        }
    }
}

impl From<serde_json::Error> for Diagnostic {
    fn from(value: serde_json::Error) -> Self {
        Diagnostic {
            error_type: type_name_of_val(&value),
            error_message: value.to_string(),
        }
    }
}

/// The `errorType` of a panic in a handler or init function.
pub const PANIC_ERROR_TYPE: &str = "RustPanic";
/// The `errorType` of an event that does not fit the handler's event type.
pub const DESERIALIZE_ERROR_TYPE: &str = "DeserializeError";
/// The `errorType` of a response that cannot be converted to Python.
pub const SERIALIZE_ERROR_TYPE: &str = "SerializeError";

/// The message of a panic payload (`panic!("...")` carries `&str` or `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panicked with a payload that is not a string (std::panic::panic_any)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_error_types_follow_lambda_runtime() {
        let boxed: Error = "boom".into();
        assert_eq!(
            Diagnostic::from(boxed).error_type,
            "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
        );
        assert_eq!(Diagnostic::from("x").error_type, "&&str");
        assert_eq!(
            Diagnostic::from(String::from("x")).error_type,
            "&alloc::string::String"
        );
        let io = std::io::Error::other("disk");
        let d = Diagnostic::from(io);
        assert_eq!(
            (d.error_type.as_str(), d.error_message.as_str()),
            ("&std::io::error::Error", "disk")
        );
    }

    #[test]
    fn serializes_like_the_runtime_api_error_body() {
        let d = Diagnostic::new("ValidationError", "name must not be empty");
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"errorType":"ValidationError","errorMessage":"name must not be empty"}"#
        );
    }

    #[test]
    fn panic_payloads() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("boom")), "boom");
        assert!(panic_message(&42u32).contains("not a string"));
    }
}
