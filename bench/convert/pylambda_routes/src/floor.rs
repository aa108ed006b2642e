//! What building a `serde_json::Value` costs with no Python involved: the floor under any
//! engine whose handlers take a `Value` (bench/convert/results.md, "the floor under a `Value`").
//!
//! Building the event's `Value` again from Rust data does exactly the work such an engine
//! cannot skip — one allocation per string, array and map (two for a map: entries and index),
//! one SipHash and IndexMap insertion per key (serde_json's `preserve_order` map) — and then
//! drops it, as a round trip must. What reading Python objects adds comes on top.

use std::hint::black_box;
use std::time::Instant;

use serde_json::{Map, Value};

/// Mean nanoseconds to build a copy of `value` (every string, array and map allocated anew,
/// every key inserted) and drop it, over enough repetitions to take about a millisecond.
pub fn build_ns(value: &Value) -> f64 {
    drop(black_box(rebuild(value))); // warm-up, and the cost of one for the repetition count
    let once = Instant::now();
    drop(black_box(rebuild(black_box(value))));
    let reps = (1_000_000 / once.elapsed().as_nanos().max(1)).clamp(1, 10_000) as u32;
    let start = Instant::now();
    for _ in 0..reps {
        drop(black_box(rebuild(black_box(value))));
    }
    start.elapsed().as_nanos() as f64 / f64::from(reps)
}

/// A deep copy built the way an engine builds a `Value`: presized arrays and maps, each key
/// inserted (hashed). `Clone` would copy the maps' hash tables instead of hashing the keys.
fn rebuild(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.as_str().to_owned()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            out.extend(items.iter().map(rebuild));
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                out.insert(key.as_str().to_owned(), rebuild(item));
            }
            Value::Object(out)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => value.clone(),
    }
}
