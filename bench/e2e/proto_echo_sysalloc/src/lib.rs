//! Prototype for the breakdown (docs/benchmarks-e2e.md), not a system of the comparison:
//! `examples/echo` exactly, with pylambda's default features minus the allocator one, so the
//! module's Rust allocations go to glibc's malloc. It measures what the allocator choice costs
//! or saves end to end (time, import, Max Memory Used).

use pylambda::{Context, Error};
use serde_json::Value;

/// Returns the event as it came.
pub fn handler(event: Value, _ctx: Context) -> Result<Value, Error> {
    Ok(event)
}

pylambda::lambda!(handler);
