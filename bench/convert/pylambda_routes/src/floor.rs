//! What building a `serde_json::Value` costs with no Python involved: the floor under any
//! engine whose handlers take a `Value` (bench/convert/results.md, "the floor under a `Value`").
//!
//! Building the event's `Value` again from Rust data does the work such an engine cannot skip —
//! one allocation per string, array and map (two for a map: entries and hash table), every
//! string copied — and then drops it, as a round trip must. At its cheapest: `clone()` copies
//! each map's hash table instead of hashing its keys, which is what the engine's remembered
//! dict shapes do (src/convert/shapes.rs); building key by key would add a SipHash per key.
//! What reading Python objects adds comes on top.

use std::hint::black_box;
use std::time::Instant;

use serde_json::Value;

/// Mean nanoseconds to build a copy of `value` (every string, array and map allocated anew)
/// and drop it, over enough repetitions to take about a millisecond.
pub fn build_ns(value: &Value) -> f64 {
    drop(black_box(black_box(value).clone())); // warm-up, and the cost of one for the count
    let once = Instant::now();
    drop(black_box(black_box(value).clone()));
    let reps = (1_000_000 / once.elapsed().as_nanos().max(1)).clamp(1, 10_000) as u32;
    let start = Instant::now();
    for _ in 0..reps {
        drop(black_box(black_box(value).clone()));
    }
    start.elapsed().as_nanos() as f64 / f64::from(reps)
}
