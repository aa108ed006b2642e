//! `libpylambda_routes`: the benchmark routes that enter and leave Rust through pylambda.
//!
//! | handler | route |
//! |---|---|
//! | `value` | this engine: Python → `serde_json::Value` → Python (what `examples/echo` does) |
//! | `value_new_strings` | `value` with every string of the response new (a copy made in Rust) |
//! | `apigw` | this engine, typed: `ApiGatewayProxyRequest` in, `ApiGatewayProxyResponse` out |
//! | `apigw_via_value` | the same typed work through `serde_json::Value` on both sides |
//! | `json_text` | the Rust half of the JSON-text bridge: `str` → `Value` → `str` |
//! | `pickle` | the Rust half of the pickle bridge: `bytes` → `Value` → `bytes` |
//! | `value_in` | the first half of `value` only: Python → `Value`, dropped (answers `None`) |
//! | `walk` | reading only: every object visited, nothing built (answers `None`) |
//! | `value_build_ns` | no Python at all: ns to build and drop a copy of the event's `Value` |
//!
//! No handler takes a `Context`, so pylambda does not read the runtime's context object for
//! them: none of the other routes reads one either, and this benchmark is about conversions.
//!
//! The bridges' Python halves (`json.dumps`/`json.loads`, `pickle.dumps`/`pickle.loads`) are
//! in `bench.py`; their strings and bytes cross pylambda's engine, which costs a copy each way.

mod floor;

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use pylambda::__private::testing;
use pylambda::Error;
use serde_bytes::ByteBuf;
use serde_json::Value;

/// The identity round trip into `serde_json::Value`.
fn value(event: Value) -> Result<Value, Error> {
    Ok(event)
}

/// `value` for a handler whose response strings are all new: each string is copied into a new
/// buffer, so the engine recognises none of them as the event's and builds a `str` for each
/// (pylambda answers a string returned unchanged with the event's own `str`).
fn value_new_strings(mut event: Value) -> Result<Value, Error> {
    testing::each_string(&mut event, &mut |s| *s = s.as_str().to_owned());
    Ok(event)
}

/// Python → `Value` only: `value` without its second half.
fn value_in(event: Value) -> Result<(), Error> {
    drop(event);
    Ok(())
}

/// See [`floor::Walk`].
fn walk(_event: floor::Walk) -> Result<(), Error> {
    Ok(())
}

/// See [`floor::build_ns`].
fn value_build_ns(event: Value) -> Result<f64, Error> {
    Ok(floor::build_ns(&event))
}

/// The typed API Gateway route, straight from Python objects into the request type.
fn apigw(request: ApiGatewayProxyRequest) -> Result<ApiGatewayProxyResponse, Error> {
    Ok(bench_common::respond(&request))
}

/// The typed API Gateway route through an intermediate `Value` on each side.
fn apigw_via_value(event: Value) -> Result<Value, Error> {
    let request: ApiGatewayProxyRequest = serde_json::from_value(event)?;
    Ok(serde_json::to_value(bench_common::respond(&request))?)
}

/// JSON text → `Value` → JSON text, as a JSON-text bridge's Rust side does.
fn json_text(text: String) -> Result<String, Error> {
    let value: Value = serde_json::from_str(&text)?;
    Ok(serde_json::to_string(&value)?)
}

/// Pickle → `Value` → pickle, as a pickle bridge's Rust side does.
fn pickle(data: ByteBuf) -> Result<ByteBuf, Error> {
    let value: Value = serde_pickle::from_slice(&data, serde_pickle::DeOptions::new())?;
    Ok(ByteBuf::from(serde_pickle::to_vec(
        &value,
        serde_pickle::SerOptions::new(),
    )?))
}

pylambda::lambda! {
    "value" => value,
    "value_new_strings" => value_new_strings,
    "value_in" => value_in,
    "walk" => walk,
    "value_build_ns" => value_build_ns,
    "apigw" => apigw,
    "apigw_via_value" => apigw_via_value,
    "json_text" => json_text,
    "pickle" => pickle,
}
