//! `libprobe`: a test-only module whose handlers each exercise one conversion rule, so the
//! pytest suites can check the rules from Python under every supported interpreter.

use std::collections::BTreeMap;

use pylambda::__private::testing;
use pylambda::{Context, Error};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use serde_json::{json, Value};

type R<T> = Result<T, Error>;

/// Integers beyond 64 bits, exactly.
pub fn i128_echo(v: i128) -> R<i128> {
    Ok(v)
}
pub fn u128_echo(v: u128) -> R<u128> {
    Ok(v)
}
pub fn u64_echo(v: u64) -> R<u64> {
    Ok(v)
}
pub fn i64_echo(v: i64) -> R<i64> {
    Ok(v)
}
pub fn u8_echo(v: u8) -> R<u8> {
    Ok(v)
}
/// Floats (NaN and infinities included).
pub fn f64_echo(v: f64) -> R<f64> {
    Ok(v)
}
pub fn opt_f64_echo(v: Option<f64>) -> R<Option<f64>> {
    Ok(v)
}
pub fn string_echo(v: String) -> R<String> {
    Ok(v)
}
/// Bytes in, bytes out (returned bytes are sent raw by the runtime).
pub fn bytes_echo(v: ByteBuf) -> R<ByteBuf> {
    Ok(v)
}
/// A list of pairs (tuples in, lists out).
pub fn pairs_echo(v: Vec<(String, i64)>) -> R<Vec<(String, i64)>> {
    Ok(v)
}
/// Integer-keyed map.
pub fn int_keys(v: BTreeMap<u32, String>) -> R<BTreeMap<u32, String>> {
    Ok(v)
}
/// Externally tagged enums, both ways.
#[derive(Debug, Deserialize, Serialize)]
pub enum Shape {
    Unit,
    Newtype(i32),
    Tuple(i32, String),
    Struct { a: i32, b: Option<String> },
}
pub fn shape_echo(v: Shape) -> R<Shape> {
    Ok(v)
}

/// Internally tagged and untagged enums go through serde's buffering (deserialize_any).
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type")]
pub enum Tagged {
    Circle { radius: f64 },
    Square { side: u32 },
}
pub fn tagged_echo(v: Tagged) -> R<Tagged> {
    Ok(v)
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Loose {
    Number(i64),
    Text(String),
    List(Vec<Loose>),
}
pub fn loose_echo(v: Loose) -> R<Loose> {
    Ok(v)
}

/// The SQS-like shape used to check error paths (`Records[3].body`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    #[serde(rename = "Records")]
    pub records: Vec<Record>,
}
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub message_id: String,
    pub body: String,
}
pub fn batch(v: Batch) -> R<usize> {
    Ok(v.records.len())
}

/// A struct response: keys in field order.
#[derive(Serialize)]
pub struct Ordered {
    pub zeta: i32,
    pub alpha: i32,
    pub mid: Vec<Option<bool>>,
    pub nested: BTreeMap<String, ()>,
    pub character: char,
    pub unit: (),
}
pub fn ordered(_v: Value) -> R<Ordered> {
    Ok(Ordered {
        zeta: 1,
        alpha: 2,
        mid: vec![Some(true), None],
        nested: BTreeMap::from([("k".to_owned(), ())]),
        character: 'é',
        unit: (),
    })
}

/// The keys of a map read through serde's path (not the direct `Value` one), in order.
pub fn map_keys(v: serde_json::Map<String, Value>) -> R<Vec<String>> {
    Ok(v.keys().cloned().collect())
}

/// A response nested deeper than the depth limit.
pub fn too_deep(depth: usize) -> R<Value> {
    let mut v = json!(0);
    for _ in 0..depth {
        v = json!([v]);
    }
    Ok(v)
}

/// A response with numbers at the edges of every width.
pub fn extremes(_v: Value) -> R<Value> {
    Ok(json!({
        "i64min": i64::MIN, "i64max": i64::MAX, "u64max": u64::MAX,
        "f64max": f64::MAX, "f64minpos": f64::MIN_POSITIVE, "negzero": -0.0,
    }))
}
pub fn big_ints(_v: Value) -> R<(i128, u128, i128)> {
    Ok((i128::MIN, u128::MAX, -(1i128 << 100)))
}
pub fn special_floats(_v: Value) -> R<Vec<f64>> {
    Ok(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1.0])
}

/// What the Context looks like from Rust.
pub fn context(_v: Value, ctx: Context) -> R<Context> {
    Ok(ctx)
}

/// Remaining time as the handler sees it.
pub fn remaining(_v: Value, ctx: Context) -> R<u64> {
    Ok(ctx.get_remaining_time_in_millis())
}

/// The event's strings come back as the event's own `str` objects while unchanged
/// (`convert::EventStrings`); these handlers change them in the ways that must not fool it.
pub fn value_echo(v: Value) -> R<Value> {
    Ok(v)
}
/// Every string changed in place: same buffer, same length, other text.
pub fn strings_uppercased(mut v: Value) -> R<Value> {
    testing::each_string(&mut v, &mut |s| s.make_ascii_uppercase());
    Ok(v)
}
/// Every string's buffer freed and a copy made: same text, other buffer.
pub fn strings_copied(mut v: Value) -> R<Value> {
    testing::each_string(&mut v, &mut |s| *s = s.as_str().to_owned());
    Ok(v)
}
/// Every list reversed and every map's entries too: the strings come back in another order.
pub fn reversed(mut v: Value) -> R<Value> {
    testing::reverse_all(&mut v);
    Ok(v)
}
/// Reads the event and fails: the strings it recorded are let go all the same.
pub fn read_and_fail(_v: Value) -> R<Value> {
    Err("read_and_fail".into())
}

pylambda::lambda! {
    "value_echo" => value_echo,
    "strings_uppercased" => strings_uppercased,
    "strings_copied" => strings_copied,
    "reversed" => reversed,
    "read_and_fail" => read_and_fail,
    "i128_echo" => i128_echo,
    "u128_echo" => u128_echo,
    "u64_echo" => u64_echo,
    "i64_echo" => i64_echo,
    "u8_echo" => u8_echo,
    "f64_echo" => f64_echo,
    "opt_f64_echo" => opt_f64_echo,
    "string_echo" => string_echo,
    "bytes_echo" => bytes_echo,
    "pairs_echo" => pairs_echo,
    "int_keys" => int_keys,
    "shape_echo" => shape_echo,
    "tagged_echo" => tagged_echo,
    "loose_echo" => loose_echo,
    "batch" => batch,
    "ordered" => ordered,
    "map_keys" => map_keys,
    "too_deep" => too_deep,
    "extremes" => extremes,
    "big_ints" => big_ints,
    "special_floats" => special_floats,
    "context" => context,
    "remaining" => remaining,
}
