//! Typed targets: what the generic serde path of the engine is asked to produce from the
//! fuzzed Python object, and the Rust values (built by `arbitrary`) sent the other way.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use arbitrary::{Arbitrary, Unstructured};
use pylambda::__private::testing;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use crate::py::Obj;
use crate::{no_error_pending, round_trip, text};

/// A `Value` serialized through serde's generic `Serialize` (not the engine's direct path).
pub struct ViaSerde(pub Value);

impl Serialize for ViaSerde {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Every shape serde's data model has, recursively; round-tripped through Python.
#[derive(Arbitrary, Serialize, Deserialize, Debug)]
pub enum Shape {
    Unit,
    Bool(bool),
    I8(i8),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F32(f32),
    F64(f64),
    Char(char),
    Text(String),
    Bytes(#[serde(with = "serde_bytes")] Vec<u8>),
    Maybe(Option<Box<Shape>>),
    Seq(Vec<Shape>),
    Pair(i16, Box<Shape>),
    Map(BTreeMap<String, Shape>),
    IntKeys(BTreeMap<i64, bool>),
    Record {
        name: String,
        count: u32,
        inner: Option<Box<Shape>>,
    },
    Newtype(Wrapper),
    Nothing(()),
}

#[derive(Arbitrary, Serialize, Deserialize, Debug)]
pub struct Wrapper(pub Vec<u8>);

#[derive(Deserialize, Debug)]
#[serde(tag = "type")]
#[allow(dead_code)]
enum Tagged {
    A { x: i64 },
    B { y: Option<String> },
}

#[derive(Deserialize, Debug)]
#[serde(untagged)]
#[allow(dead_code)]
enum Loose {
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Loose>),
    Map(BTreeMap<String, Loose>),
    Flag(bool),
    Null(()),
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Flat {
    a: Option<u8>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Borrowing<'a> {
    #[serde(borrow)]
    s: Option<Cow<'a, str>>,
    #[serde(default, with = "serde_bytes")]
    b: Option<Vec<u8>>,
}

/// Asks the generic path for each target; any answer is fine, as long as it is an answer.
pub fn deserialize_all(obj: &Obj) {
    macro_rules! each {
        ($($t:ty),* $(,)?) => {$(
            // SAFETY: GIL held; obj alive for the whole call.
            let result = unsafe { testing::from_python::<$t>(obj.ptr()) };
            no_error_pending(stringify!($t));
            if let Err(e) = &result {
                assert!(!e.to_string().is_empty());
            }
            drop(result);
        )*};
    }
    each!(
        Shape,
        Vec<Shape>,
        Tagged,
        Loose,
        Flat,
        Borrowing<'_>,
        Vec<Option<i128>>,
        HashMap<u32, char>,
        BTreeMap<String, f64>,
        (u8, String, f32),
        serde_bytes::ByteBuf,
        Box<[u128]>,
        IgnoredAny,
        Option<Cow<'_, str>>,
    );
}

/// A response holding JSON text the handler made (`Box<RawValue>`). The harness's interpreter
/// has no simplejson, so the engine makes of the text what `json.loads` does.
#[derive(Serialize)]
struct WithRaw {
    raw: Box<RawValue>,
    pretty: Box<RawValue>,
    n: u8,
}

/// The Rust → Python → Rust direction.
pub fn rust_to_python(data: &[u8]) {
    let mut u = Unstructured::new(data);
    if let Ok(shape) = Shape::arbitrary(&mut u) {
        // SAFETY: GIL held.
        let obj = unsafe { testing::to_python(&shape) };
        no_error_pending("to_python(Shape)");
        if let Ok(obj) = obj {
            let obj = Obj::new(obj, "to_python");
            // SAFETY: GIL held, obj alive.
            let back = unsafe { testing::from_python::<Shape>(obj.ptr()) };
            no_error_pending("from_python(Shape)");
            let back = back.unwrap_or_else(|e| panic!("{shape:?} did not come back: {e}"));
            assert_eq!(format!("{back:?}"), format!("{shape:?}"));
        }
    }
    if let Ok(value) = value(&mut u, 0) {
        round_trip(&value);
        // serde_json's parser stops at 128 levels, the engine's limit: compare below it.
        let parseable = crate::depth(&value) < 127;
        // SAFETY: GIL held.
        if let (true, Ok(obj)) = (parseable, unsafe { testing::to_python(&value) }) {
            let obj = Obj::new(obj, "to_python");
            let dumped = crate::py::call1(&crate::py::global(c"dumps"), obj.clone_ref());
            let dumped = crate::py::as_string(&dumped).expect("json.dumps takes any built Value");
            let parsed: Value = serde_json::from_str(&dumped).expect("json.dumps wrote JSON");
            assert_eq!(
                text(&parsed),
                text(&value),
                "json.dumps of the built object"
            );
            // Left out under valgrind (scripts/hardening/valgrind.sh says why).
            if std::env::var_os("PYLAMBDA_FUZZ_NO_RAW").is_none() {
                raw_round_trip(&value);
            }
        }
    }
}

/// `Box<RawValue>`s (compact and pretty-printed text of `value`) come back as `value`.
fn raw_round_trip(value: &Value) {
    let raw = serde_json::value::to_raw_value(value).expect("a Value is JSON text");
    let pretty = serde_json::to_string_pretty(value).expect("a Value is JSON text");
    let pretty = RawValue::from_string(pretty).expect("pretty JSON is JSON");
    let response = WithRaw { raw, pretty, n: 7 };
    // SAFETY: GIL held.
    let obj = unsafe { testing::to_python(&response) };
    no_error_pending("to_python(RawValue)");
    let obj = Obj::new(
        obj.unwrap_or_else(|e| panic!("a RawValue response failed: {e}")),
        "to_python(RawValue)",
    );
    // SAFETY: GIL held, obj alive.
    let back = unsafe { testing::from_python_owned::<Value>(obj.ptr()) };
    no_error_pending("from_python(RawValue response)");
    let back = back.unwrap_or_else(|e| panic!("a RawValue response did not come back: {e}"));
    let expected = serde_json::json!({"raw": value, "pretty": value, "n": 7});
    assert_eq!(text(&back), text(&expected), "RawValue response");
}

/// An arbitrary `Value`, with numbers at every width and sometimes past the depth limit.
fn value(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Value> {
    let max = if depth < 6 { 8 } else { 5 };
    Ok(match u.int_in_range(0..=max)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(Number::from(u.arbitrary::<i64>()?)),
        3 => Value::Number(Number::from(u.arbitrary::<u64>()?)),
        4 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        5 => Value::String(u.arbitrary()?),
        6 => {
            let n = u.int_in_range(0..=6)?;
            Value::Array(
                (0..n)
                    .map(|_| value(u, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        7 => {
            let n = u.int_in_range(0..=6)?;
            let mut map = Map::new();
            for _ in 0..n {
                map.insert(u.arbitrary()?, value(u, depth + 1)?);
            }
            Value::Object(map)
        }
        _ => {
            let mut v = value(u, 6)?;
            for _ in 0..u.int_in_range(120..=136)? {
                v = Value::Array(vec![v]);
            }
            v
        }
    })
}
