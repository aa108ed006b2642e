//! [`LambdaEvent`]: the event and its context in one value, as `lambda_runtime` passes them.
//!
//! A handler written for the official Rust runtime takes `LambdaEvent<T>`; with this type the
//! same function body serves here, only the imports and the registration change:
//!
//! ```
//! use pylambda::{Error, LambdaEvent};
//! use serde_json::{json, Value};
//!
//! async fn func(event: LambdaEvent<Value>) -> Result<Value, Error> {
//!     let (event, context) = event.into_parts();
//!     let first_name = event["firstName"].as_str().unwrap_or("world");
//!     Ok(json!({ "message": format!("Hello, {first_name}!"), "request": context.request_id }))
//! }
//!
//! pylambda::lambda!(func); // instead of lambda_runtime::run(service_fn(func)).await
//! ```
//!
//! Closures in that form work too, as they do in `service_fn`:
//!
//! ```
//! use pylambda::{Error, LambdaEvent};
//! use serde_json::Value;
//!
//! pylambda::lambda! {
//!     "echo" => |event: LambdaEvent<Value>| async move { Ok::<_, Error>(event.payload) },
//!     "id" => |event: LambdaEvent<Value>| Ok::<_, Error>(event.context.request_id),
//! }
//! ```

use crate::Context;

/// An invocation's event payload and its [`Context`], for handlers of the form
/// `fn(LambdaEvent<E>) -> Result<R, Er>` (or `async fn`). Same fields and methods as
/// `lambda_runtime::LambdaEvent`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LambdaEvent<T> {
    /// The event, converted from the runtime's Python object.
    pub payload: T,
    /// The invocation's context.
    pub context: Context,
}

impl<T> LambdaEvent<T> {
    /// An event with its context (what pylambda builds before calling the handler; also how a
    /// unit test calls one).
    pub fn new(payload: T, context: Context) -> Self {
        LambdaEvent { payload, context }
    }

    /// The payload and the context, apart.
    pub fn into_parts(self) -> (T, Context) {
        (self.payload, self.context)
    }
}
