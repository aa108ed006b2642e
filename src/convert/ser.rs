//! Any `Serialize` type → Python objects, built directly: lists are allocated at their final
//! size and filled in place, dict keys come from the key cache, numbers stay exact.

use serde::ser::{self, Serialize};

use super::error::{Error, ErrorKind, Segment};
use super::keys::key_object;
use super::number::{is_integer_text, Decimal};
use crate::ffi::{self, ListBuilder, PyOwned, Python};

/// Builds one Python object from a serde data model value.
pub(crate) struct Pythonizer<'py> {
    py: Python<'py>,
    /// How many containers enclose the value being built.
    depth: u32,
    max_depth: u32,
}

impl<'py> Pythonizer<'py> {
    pub(crate) fn new(py: Python<'py>, max_depth: u32) -> Self {
        Pythonizer {
            py,
            depth: 0,
            max_depth,
        }
    }

    fn child(&self) -> Pythonizer<'py> {
        Pythonizer {
            py: self.py,
            depth: self.depth + 1,
            max_depth: self.max_depth,
        }
    }

    fn enter(&self) -> Result<(), Error> {
        if self.depth >= self.max_depth {
            return Err(super::de::too_deep(self.max_depth));
        }
        Ok(())
    }

    fn seq(self, len: Option<usize>) -> Result<SeqBuilder<'py>, Error> {
        self.enter()?;
        let items = match len {
            Some(len) => Items::Fixed(ListBuilder::new(self.py, len)),
            None => Items::Growing(Vec::new()),
        };
        Ok(SeqBuilder {
            ser: self,
            items,
            index: 0,
        })
    }

    fn map(self) -> Result<MapBuilder<'py>, Error> {
        self.enter()?;
        Ok(MapBuilder {
            dict: ffi::new_dict(self.py),
            ser: self,
            key: None,
        })
    }
}

/// `{variant: inner}`, the externally tagged form serde_json writes.
fn tagged(py: Python<'_>, variant: &'static str, inner: PyOwned) -> Result<PyOwned, Error> {
    let dict = ffi::new_dict(py);
    let key = key_object(py, variant);
    ffi::dict_set(&dict, &key, &inner).map_err(python_error)?;
    Ok(dict)
}

fn python_error(e: ffi::PyErr) -> Error {
    Error::new(ErrorKind::Invalid, e.to_string())
}

/// A Python number from exact JSON number text (serde_json's `arbitrary_precision` form):
/// an `int` for integer text, a `float` when a float holds the value exactly, otherwise a
/// `decimal.Decimal` — which the runtime's encoder writes digit for digit.
pub(crate) fn number_from_text(py: Python<'_>, text: &str) -> Result<PyOwned, Error> {
    if is_integer_text(text) {
        if let Ok(v) = text.parse::<i64>() {
            return Ok(ffi::new_int_i64(py, v));
        }
        if let Ok(v) = text.parse::<u64>() {
            return Ok(ffi::new_int_u64(py, v));
        }
        return ffi::new_int_from_decimal(py, text).map_err(python_error);
    }
    let decimal = Decimal::parse(text)
        .ok_or_else(|| Error::new(ErrorKind::Invalid, format!("invalid number text {text:?}")))?;
    match decimal.to_f64_exact(text) {
        Some(v) => Ok(ffi::new_float(py, v)),
        None => ffi::new_decimal(py, text).map_err(python_error),
    }
}

const NUMBER_TOKEN: &str = super::SERDE_JSON_NUMBER_TOKEN;
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'py> ser::Serializer for Pythonizer<'py> {
    type Ok = PyOwned;
    type Error = Error;
    type SerializeSeq = SeqBuilder<'py>;
    type SerializeTuple = SeqBuilder<'py>;
    type SerializeTupleStruct = SeqBuilder<'py>;
    type SerializeTupleVariant = Tagged<'py, SeqBuilder<'py>>;
    type SerializeMap = MapBuilder<'py>;
    type SerializeStruct = StructBuilder<'py>;
    type SerializeStructVariant = Tagged<'py, MapBuilder<'py>>;

    fn serialize_bool(self, v: bool) -> Result<PyOwned, Error> {
        Ok(ffi::new_bool(self.py, v))
    }
    fn serialize_i8(self, v: i8) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v))
    }
    fn serialize_i128(self, v: i128) -> Result<PyOwned, Error> {
        match i64::try_from(v) {
            Ok(v) => Ok(ffi::new_int_i64(self.py, v)),
            Err(_) => ffi::new_int_from_decimal(self.py, &v.to_string()).map_err(python_error),
        }
    }
    fn serialize_u8(self, v: u8) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_i64(self.py, v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<PyOwned, Error> {
        Ok(ffi::new_int_u64(self.py, v))
    }
    fn serialize_u128(self, v: u128) -> Result<PyOwned, Error> {
        match u64::try_from(v) {
            Ok(v) => Ok(ffi::new_int_u64(self.py, v)),
            Err(_) => ffi::new_int_from_decimal(self.py, &v.to_string()).map_err(python_error),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<PyOwned, Error> {
        Ok(ffi::new_float(self.py, v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<PyOwned, Error> {
        Ok(ffi::new_float(self.py, v))
    }
    fn serialize_char(self, v: char) -> Result<PyOwned, Error> {
        Ok(ffi::new_str(self.py, v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<PyOwned, Error> {
        Ok(ffi::new_str(self.py, v))
    }
    /// Bytes become `bytes`; returned from a handler, the runtime sends them raw.
    fn serialize_bytes(self, v: &[u8]) -> Result<PyOwned, Error> {
        Ok(ffi::new_bytes(self.py, v))
    }
    fn serialize_none(self) -> Result<PyOwned, Error> {
        Ok(ffi::none(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<PyOwned, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<PyOwned, Error> {
        Ok(ffi::none(self.py))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<PyOwned, Error> {
        Ok(ffi::none(self.py))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<PyOwned, Error> {
        Ok(key_object(self.py, variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<PyOwned, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<PyOwned, Error> {
        self.enter()?;
        let inner = value
            .serialize(self.child())
            .map_err(|e| e.within(Segment::Key(variant.to_owned())))?;
        tagged(self.py, variant, inner)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder<'py>, Error> {
        self.seq(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder<'py>, Error> {
        self.seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder<'py>, Error> {
        self.seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Tagged<'py, SeqBuilder<'py>>, Error> {
        self.enter()?;
        Ok(Tagged {
            py: self.py,
            variant,
            inner: self.child().seq(Some(len))?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder<'py>, Error> {
        self.map()
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<StructBuilder<'py>, Error> {
        // serde_json's private forms for exact numbers and raw JSON text.
        if name == NUMBER_TOKEN {
            return Ok(StructBuilder::Number {
                py: self.py,
                text: None,
            });
        }
        if name == RAW_VALUE_TOKEN {
            return Ok(StructBuilder::RawJson {
                ser: self,
                text: None,
            });
        }
        Ok(StructBuilder::Dict(self.map()?))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Tagged<'py, MapBuilder<'py>>, Error> {
        self.enter()?;
        Ok(Tagged {
            py: self.py,
            variant,
            inner: self.child().map()?,
        })
    }

    fn is_human_readable(&self) -> bool {
        true
    }
}

enum Items {
    /// The length was announced: a list of that size, filled in place.
    Fixed(ListBuilder),
    /// Unknown length (iterators): collected, then turned into a list.
    Growing(Vec<PyOwned>),
}

/// A list under construction.
pub(crate) struct SeqBuilder<'py> {
    ser: Pythonizer<'py>,
    items: Items,
    index: usize,
}

impl SeqBuilder<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let i = self.index;
        let item = value
            .serialize(self.ser.child())
            .map_err(|e| e.within(Segment::Index(i)))?;
        match &mut self.items {
            Items::Fixed(list) => {
                if !list.push(item) {
                    return Err(length_mismatch());
                }
            }
            Items::Growing(items) => items.push(item),
        }
        self.index += 1;
        Ok(())
    }

    fn finish(self) -> Result<PyOwned, Error> {
        match self.items {
            Items::Fixed(list) => list.finish().ok_or_else(length_mismatch),
            Items::Growing(items) => {
                let mut list = ListBuilder::new(self.ser.py, items.len());
                for item in items {
                    list.push(item);
                }
                list.finish().ok_or_else(length_mismatch)
            }
        }
    }
}

#[cold]
fn length_mismatch() -> Error {
    Error::new(
        ErrorKind::Invalid,
        "a Serialize implementation yielded a different number of elements than it announced",
    )
}

impl ser::SerializeSeq for SeqBuilder<'_> {
    type Ok = PyOwned;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<PyOwned, Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqBuilder<'_> {
    type Ok = PyOwned;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<PyOwned, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqBuilder<'_> {
    type Ok = PyOwned;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<PyOwned, Error> {
        self.finish()
    }
}

/// A dict under construction.
pub(crate) struct MapBuilder<'py> {
    ser: Pythonizer<'py>,
    dict: PyOwned,
    key: Option<PyOwned>,
}

impl MapBuilder<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: PyOwned, value: &T) -> Result<(), Error> {
        let py = self.ser.py;
        let value = value.serialize(self.ser.child()).map_err(|e| {
            let name = key
                .borrow(py)
                .as_str()
                .map(str::to_owned)
                .unwrap_or_default();
            e.within(Segment::Key(name))
        })?;
        ffi::dict_set(&self.dict, &key, &value).map_err(python_error)
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
        let value = value
            .serialize(self.ser.child())
            .map_err(|e| e.within(Segment::Key(name.to_owned())))?;
        let key = key_object(self.ser.py, name);
        ffi::dict_set(&self.dict, &key, &value).map_err(python_error)
    }
}

impl ser::SerializeMap for MapBuilder<'_> {
    type Ok = PyOwned;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(KeySerializer { py: self.ser.py })?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().ok_or_else(|| {
            Error::new(ErrorKind::Invalid, "serialize_value before serialize_key")
        })?;
        self.insert(key, value)
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Error> {
        let key = key.serialize(KeySerializer { py: self.ser.py })?;
        self.insert(key, value)
    }

    fn end(self) -> Result<PyOwned, Error> {
        Ok(self.dict)
    }
}

/// A struct: a dict, or one of serde_json's private number/raw-JSON forms.
pub(crate) enum StructBuilder<'py> {
    Dict(MapBuilder<'py>),
    Number {
        py: Python<'py>,
        text: Option<String>,
    },
    RawJson {
        ser: Pythonizer<'py>,
        text: Option<String>,
    },
}

impl ser::SerializeStruct for StructBuilder<'_> {
    type Ok = PyOwned;
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match self {
            StructBuilder::Dict(map) => map.field(name, value),
            StructBuilder::Number { text, .. } | StructBuilder::RawJson { text, .. } => {
                *text = Some(captured_text(value)?);
                Ok(())
            }
        }
    }

    fn end(self) -> Result<PyOwned, Error> {
        match self {
            StructBuilder::Dict(map) => Ok(map.dict),
            StructBuilder::Number { py, text } => number_from_text(py, &text.unwrap_or_default()),
            // `serde_json::value::RawValue`: JSON text the handler made itself. The runtime's
            // encoder writes a `simplejson.RawJSON` as it is, so large responses skip building
            // and encoding Python objects. Without simplejson (a plain Python caller), the text
            // becomes the objects `json.loads` makes of it: exactly what it says, where
            // serde_json's parser (without its `float_roundtrip` feature) moved 30% of random
            // floats by an ULP.
            StructBuilder::RawJson { ser, text } => {
                let text = text.unwrap_or_default();
                match ffi::new_raw_json(ser.py, &text) {
                    Some(raw) => raw.map_err(python_error),
                    None => ffi::json_loads(ser.py, &text).map_err(python_error),
                }
            }
        }
    }
}

/// `{variant: inner}` around a tuple or struct variant.
pub(crate) struct Tagged<'py, B> {
    py: Python<'py>,
    variant: &'static str,
    inner: B,
}

impl<'py> ser::SerializeTupleVariant for Tagged<'py, SeqBuilder<'py>> {
    type Ok = PyOwned;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner
            .push(value)
            .map_err(|e| e.within(Segment::Key(self.variant.to_owned())))
    }
    fn end(self) -> Result<PyOwned, Error> {
        let inner = self.inner.finish()?;
        tagged(self.py, self.variant, inner)
    }
}

impl<'py> ser::SerializeStructVariant for Tagged<'py, MapBuilder<'py>> {
    type Ok = PyOwned;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.inner
            .field(name, value)
            .map_err(|e| e.within(Segment::Key(self.variant.to_owned())))
    }
    fn end(self) -> Result<PyOwned, Error> {
        let inner = self.inner.dict;
        tagged(self.py, self.variant, inner)
    }
}

/// Map keys become `str`, as in JSON: strings as they are, numbers and bools spelled out.
struct KeySerializer<'py> {
    py: Python<'py>,
}

#[cold]
fn key_must_be_a_string() -> Error {
    Error::new(
        ErrorKind::Invalid,
        "a map key must be a string, a number, a bool or a unit variant",
    )
}

impl<'py> KeySerializer<'py> {
    fn text(self, text: &str) -> Result<PyOwned, Error> {
        Ok(key_object(self.py, text))
    }
}

impl<'py> ser::Serializer for KeySerializer<'py> {
    type Ok = PyOwned;
    type Error = Error;
    type SerializeSeq = ser::Impossible<PyOwned, Error>;
    type SerializeTuple = ser::Impossible<PyOwned, Error>;
    type SerializeTupleStruct = ser::Impossible<PyOwned, Error>;
    type SerializeTupleVariant = ser::Impossible<PyOwned, Error>;
    type SerializeMap = ser::Impossible<PyOwned, Error>;
    type SerializeStruct = ser::Impossible<PyOwned, Error>;
    type SerializeStructVariant = ser::Impossible<PyOwned, Error>;

    #[inline]
    fn serialize_str(self, v: &str) -> Result<PyOwned, Error> {
        self.text(v)
    }
    fn serialize_bool(self, v: bool) -> Result<PyOwned, Error> {
        self.text(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<PyOwned, Error> {
        self.text(&v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<PyOwned, Error> {
        self.serialize_f64(v.into())
    }
    /// Spelled as Python's `json` spells float keys (`repr`, `NaN`, `Infinity`).
    fn serialize_f64(self, v: f64) -> Result<PyOwned, Error> {
        if v.is_nan() {
            self.text("NaN")
        } else if v.is_infinite() {
            self.text(if v > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            let float = ffi::new_float(self.py, v);
            let text = float.borrow(self.py).repr().map_err(python_error)?;
            self.text(&text)
        }
    }
    fn serialize_char(self, v: char) -> Result<PyOwned, Error> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<PyOwned, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<PyOwned, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<PyOwned, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<PyOwned, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<PyOwned, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<PyOwned, Error> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<PyOwned, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<PyOwned, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
}

/// The string inside serde_json's private number/raw-value structs (their one field is a
/// string; serde_json's own `Value` serializer reads it for us).
fn captured_text<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        _ => Err(expected_text()),
    }
}

#[cold]
fn expected_text() -> Error {
    Error::new(
        ErrorKind::Invalid,
        "serde_json's private number form must hold a string",
    )
}
