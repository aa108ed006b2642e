//! The hot path for `serde_json::Value`, the most common event and response type.
//!
//! Going through serde's visitor for `Value` costs what its generic code cannot avoid: maps
//! built without knowing their size (`Map::new()`, then rehashing as they grow). Here the
//! object tree is walked directly, every list and map is allocated at its final size, and the
//! semantics stay exactly those of the serde path (the tests compare the two).

use serde_json::{Map, Number, Value};

use super::de::{key_text, too_deep, unsupported_type};
use super::error::{Error, ErrorKind, Segment};
use super::event_strings::EventStrings;
use super::keys;
use super::shapes;
use crate::ffi::{self, IntValue, Kind, ListBuilder, PyOwned, PyRef, Python};

/// Python object → `Value`, recording in `strings` each `String` made from a `str`.
pub(crate) fn from_python<'py>(
    obj: PyRef<'py>,
    max_depth: u32,
    strings: &mut EventStrings<'py>,
) -> Result<Value, Error> {
    strings.make_room();
    let mut value = Value::Null;
    Reader { max_depth, strings }.read_into(obj, 0, &mut value)?;
    Ok(value)
}

/// One Python → `Value` conversion: its depth limit and where it records strings.
struct Reader<'s, 'py> {
    max_depth: u32,
    strings: &'s mut EventStrings<'py>,
}

impl<'py> Reader<'_, 'py> {
    /// Python object → `Value`, written into `out`, where it stays: the tree is built in
    /// place, each value in the list or map slot it ends up in. (Returning each 80-byte
    /// `Value` and copying it into its slot is where `perf annotate` put about a tenth of the
    /// Python → `Value` time, as stalls reading back a return value just written; building in
    /// place made round trips 2–5% faster.)
    fn read_into(&mut self, obj: PyRef<'py>, depth: u32, out: &mut Value) -> Result<(), Error> {
        let max_depth = self.max_depth;
        match obj.kind() {
            Kind::Str => {
                let text = str_of(obj)?;
                *out = Value::String(text.to_owned());
                let Value::String(made) = out else {
                    unreachable!("just set")
                };
                self.strings.record(obj, text, made);
            }
            Kind::Dict => {
                if depth >= max_depth {
                    return Err(too_deep(max_depth));
                }
                *out = Value::Object(Map::new());
                let Value::Object(map) = out else {
                    unreachable!("just set")
                };
                self.dict_into_map(obj, depth, map)?;
            }
            Kind::Int => {
                *out = match obj.as_i64() {
                    IntValue::I64(v) => Value::Number(v.into()),
                    IntValue::U64(v) => Value::Number(v.into()),
                    IntValue::Big => super::through_serde::<Value>(obj)?,
                }
            }
            Kind::List | Kind::Tuple => {
                if depth >= max_depth {
                    return Err(too_deep(max_depth));
                }
                let tuple = obj.kind() == Kind::Tuple;
                let len = if tuple {
                    obj.tuple_len()
                } else {
                    obj.list_len()
                };
                *out = Value::Array(Vec::with_capacity(len));
                let Value::Array(items) = out else {
                    unreachable!("just set")
                };
                for i in 0..len {
                    let item = if tuple {
                        obj.tuple_item(i)
                    } else {
                        obj.list_item(i)
                    };
                    let Some(item) = item else { break };
                    items.push(Value::Null);
                    let slot = items.last_mut().expect("just pushed");
                    self.read_into(item, depth + 1, slot)
                        .map_err(|e| e.within(Segment::Index(i)))?;
                }
            }
            Kind::Bool => *out = Value::Bool(obj.is_true()),
            Kind::None => *out = Value::Null,
            Kind::Float => {
                let v = obj.as_f64();
                *out = match Number::from_f64(v) {
                    Some(n) => Value::Number(n),
                    // The serde path has the one message for non-finite floats.
                    None => super::through_serde::<Value>(obj)?,
                }
            }
            Kind::Bytes | Kind::ByteArray | Kind::Decimal => {
                *out = super::through_serde::<Value>(obj)?
            }
            Kind::Other => return Err(unsupported_type(obj)),
        }
        Ok(())
    }

    /// A dict's items into `map` (empty): into a copy of its remembered shape while its keys
    /// are the shape's (`shapes`), else key by key, remembering its shape for next time.
    fn dict_into_map(
        &mut self,
        dict: PyRef<'py>,
        depth: u32,
        map: &mut Map<String, Value>,
    ) -> Result<(), Error> {
        let len = dict.dict_len();
        let mut items = dict.dict_items();
        let storage_order = items.in_storage_order();
        let mut next = items.next();
        let mut index = 0;
        let mut shaped = false;
        if let Some((first, _)) = next.filter(|_| storage_order) {
            if shapes::remembered_map(dict.py(), len, first, map) {
                shaped = true;
                for (expected, slot) in map.iter_mut() {
                    let Some((_, value)) = next.filter(|(key, _)| shapes::is_key(*key, expected))
                    else {
                        break;
                    };
                    self.read_into(value, depth + 1, slot)
                        .map_err(|e| e.within(Segment::Key(expected.clone())))?;
                    index += 1;
                    next = items.next();
                }
                if index == map.len() && next.is_none() {
                    return Ok(());
                }
                // The keys part from the shape's after `index` of them: keep those, go on.
                *map = shapes::prefix(std::mem::take(map), index, len);
            }
        }
        if !shaped {
            *map = Map::with_capacity(len);
        }
        let mut shape = shapes::MAP_SHAPES.recorder(len, storage_order && index == 0);
        while let Some((key, value)) = next {
            // Non-str keys are spelled as JSON spells them, exactly as on the serde path.
            let text = key_text(key)?.into_owned();
            shape.key(index, key.kind() == Kind::Str, &text);
            // A key spelled like an earlier one (`1` and `"1"`) replaces its value, in place.
            let slot = map.entry(text).or_insert(Value::Null);
            if let Err(e) = self.read_into(value, depth + 1, slot) {
                return Err(e.within(Segment::Key(key_text(key)?.into_owned())));
            }
            index += 1;
            next = items.next();
        }
        shapes::record_map(dict.py(), shape, map);
        Ok(())
    }
}

fn str_of(obj: PyRef<'_>) -> Result<&str, Error> {
    obj.as_str().map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("str cannot be converted to UTF-8: {}", e.message),
        )
    })
}

/// `Value` → Python object, consuming the value (see `convert::to_python_owned`); a string
/// recorded in `strings` and unchanged becomes the event's `str` again.
pub(crate) fn to_python(
    py: Python<'_>,
    value: Value,
    max_depth: u32,
    strings: &mut EventStrings<'_>,
) -> Result<PyOwned, Error> {
    Builder { max_depth, strings }.build(py, value, 0)
}

/// One `Value` → Python conversion: its depth limit and the event's strings.
struct Builder<'s, 'py> {
    max_depth: u32,
    strings: &'s mut EventStrings<'py>,
}

impl Builder<'_, '_> {
    fn build(&mut self, py: Python<'_>, value: Value, depth: u32) -> Result<PyOwned, Error> {
        let max_depth = self.max_depth;
        Ok(match value {
            Value::Null => ffi::none(py),
            Value::Bool(b) => ffi::new_bool(py, b),
            Value::Number(n) => number(py, &n)?,
            Value::String(s) => match self.strings.find(py, &s) {
                Some(str) => str,
                None => ffi::new_str(py, &s),
            },
            Value::Array(items) => {
                if depth >= max_depth {
                    return Err(too_deep(max_depth));
                }
                let mut list = ListBuilder::new(py, items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let item = self
                        .build(py, item, depth + 1)
                        .map_err(|e| e.within(Segment::Index(i)))?;
                    list.push(item);
                }
                list.finish()
                    .expect("a list of exactly items.len() elements")
            }
            Value::Object(map) => {
                if depth >= max_depth {
                    return Err(too_deep(max_depth));
                }
                self.map_to_dict(py, map, depth)?
            }
        })
    }

    /// A map as a dict: a copy of its remembered shape with the values set (`shapes`), else
    /// key by key, remembering its shape for next time.
    fn map_to_dict(
        &mut self,
        py: Python<'_>,
        map: Map<String, Value>,
        depth: u32,
    ) -> Result<PyOwned, Error> {
        let set_error = |e: ffi::PyErr| Error::new(ErrorKind::Invalid, e.to_string());
        if let Some(dict) = shapes::remembered_dict(py, &map) {
            let mut keys = dict.borrow(py).dict_items();
            for (text, item) in map {
                let item = match self.build(py, item, depth + 1) {
                    Ok(item) => item,
                    Err(e) => return Err(e.within(Segment::Key(text))),
                };
                let (key, _) = keys.next().expect("a copy of a shape has the map's keys");
                ffi::dict_set_borrowed_key(&dict, key, &item).map_err(set_error)?;
            }
            return Ok(dict);
        }
        let dict = ffi::new_dict(py);
        let mut shape = shapes::DICT_SHAPES.recorder(map.len(), true);
        for (index, (text, item)) in map.into_iter().enumerate() {
            // One hash of the key text serves the shape's fingerprint and the key cache.
            let hash = keys::hash(text.as_bytes());
            shape.key_hashed(index, true, text.len(), hash);
            let item = match self.build(py, item, depth + 1) {
                Ok(item) => item,
                Err(e) => return Err(e.within(Segment::Key(text))),
            };
            let key = keys::key_object_hashed(py, &text, hash);
            ffi::dict_set(&dict, &key, &item).map_err(set_error)?;
        }
        shapes::record_dict(py, shape, &dict);
        Ok(dict)
    }
}

fn number(py: Python<'_>, n: &Number) -> Result<PyOwned, Error> {
    #[cfg(not(feature = "arbitrary_precision"))]
    {
        if let Some(v) = n.as_i64() {
            return Ok(ffi::new_int_i64(py, v));
        }
        if let Some(v) = n.as_u64() {
            return Ok(ffi::new_int_u64(py, v));
        }
        Ok(ffi::new_float(py, n.as_f64().unwrap_or(f64::NAN)))
    }
    #[cfg(feature = "arbitrary_precision")]
    {
        super::ser::number_from_text(py, &n.to_string())
    }
}
