//! What building a `serde_json::Value` costs with no Python involved: the floor under any
//! engine whose handlers take a `Value` (bench/convert/results.md, "the floor under a `Value`").
//!
//! Building the event's `Value` again from Rust data does the work such an engine cannot skip —
//! one allocation per string, array and map (two for a map: entries and hash table), every
//! string copied — and then drops it, as a round trip must. At its cheapest: `clone()` copies
//! each map's hash table instead of hashing its keys, which is what the engine's remembered
//! dict shapes do (src/convert/shapes.rs); building key by key would add a SipHash per key.
//! What reading Python objects adds comes on top: [`Walk`] measures that part alone.

use std::fmt;
use std::hint::black_box;
use std::time::Instant;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
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

/// Reading an event without building anything: every object visited as pylambda's
/// `Deserializer` visits it (its type checked, every str's UTF-8 borrowed, every dict and list
/// iterated), nothing allocated. What any engine must at least do to read the event, at this
/// engine's speed; the floor table adds it to the `Value`'s own cost.
pub struct Walk;

impl<'de> Deserialize<'de> for Walk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Walk, D::Error> {
        deserializer.deserialize_any(WalkVisitor)
    }
}

struct WalkVisitor;

impl<'de> Visitor<'de> for WalkVisitor {
    type Value = Walk;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Walk, E> {
        black_box(v);
        Ok(Walk)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Walk, E> {
        black_box(v);
        Ok(Walk)
    }
    fn visit_u64<E>(self, v: u64) -> Result<Walk, E> {
        black_box(v);
        Ok(Walk)
    }
    fn visit_f64<E>(self, v: f64) -> Result<Walk, E> {
        black_box(v);
        Ok(Walk)
    }
    fn visit_str<E>(self, v: &str) -> Result<Walk, E> {
        black_box(v);
        Ok(Walk)
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Walk, E> {
        black_box(v);
        Ok(Walk)
    }
    fn visit_unit<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_none<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Walk, D::Error> {
        Walk::deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
        while seq.next_element::<Walk>()?.is_some() {}
        Ok(Walk)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        while map.next_entry::<Walk, Walk>()?.is_some() {}
        Ok(Walk)
    }
}
