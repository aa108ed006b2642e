//! The echo function on the official `lambda_runtime` crate, as `cargo lambda new` lays it out:
//! a `bootstrap` executable that polls the Runtime API itself (no Python anywhere), deployed on
//! provided.al2023. The event goes from JSON bytes to `serde_json::Value` and back.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

/// Returns the event unchanged.
async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(event.payload)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
