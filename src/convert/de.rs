//! Python objects → any `Deserialize` type, read in place: no intermediate `Value`, no JSON
//! text. Strings are lent straight out of the `str` objects (`&str` and `Cow<str>` targets
//! borrow them), containers are walked with `PyList_GetItem`/`PyDict_Next`, and nothing raises
//! a Python exception on the success path.

use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess,
    Visitor,
};

use super::error::{Error, ErrorKind, Segment};
use super::number::Decimal;
use crate::ffi::{IntValue, Kind, PyRef};

/// Reads one Python object as a serde data source.
pub(crate) struct Depythonizer<'py> {
    obj: PyRef<'py>,
    /// How many containers enclose `obj`.
    depth: u32,
    max_depth: u32,
}

impl<'py> Depythonizer<'py> {
    pub(crate) fn new(obj: PyRef<'py>, max_depth: u32) -> Self {
        Depythonizer {
            obj,
            depth: 0,
            max_depth,
        }
    }

    fn child(&self, obj: PyRef<'py>) -> Depythonizer<'py> {
        Depythonizer {
            obj,
            depth: self.depth + 1,
            max_depth: self.max_depth,
        }
    }

    /// Entering a container: one level deeper, or the depth error (which is also how a cyclic
    /// structure ends: it is infinitely deep).
    fn enter(&self) -> Result<(), Error> {
        if self.depth >= self.max_depth {
            return Err(too_deep(self.max_depth));
        }
        Ok(())
    }

    fn str(&self) -> Result<&'py str, Error> {
        self.obj.as_str().map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("str cannot be converted to UTF-8: {}", e.message),
            )
        })
    }

    fn visit_list<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.enter()?;
        let len = self.obj.list_len();
        visitor.visit_seq(ListAccess {
            de: &self,
            index: 0,
            len,
            tuple: false,
        })
    }

    fn visit_tuple<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.enter()?;
        let len = self.obj.tuple_len();
        visitor.visit_seq(ListAccess {
            de: &self,
            index: 0,
            len,
            tuple: true,
        })
    }

    fn visit_dict<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.enter()?;
        let len = self.obj.dict_len();
        visitor.visit_map(DictAccess {
            de: &self,
            items: self.obj.dict_items(),
            len,
            value: None,
            key: None,
        })
    }

    /// An int outside `i64::MIN..=u64::MAX`, for a target that did not say what it wants.
    #[cold]
    fn visit_big_int<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.int_text()?;
        #[cfg(feature = "arbitrary_precision")]
        {
            let _ = &text;
            visitor.visit_map(NumberAccess { text: Some(text) })
        }
        #[cfg(not(feature = "arbitrary_precision"))]
        {
            visit_integer_text(&text, visitor)
        }
    }

    fn int_text(&self) -> Result<String, Error> {
        self.obj
            .str()
            .map_err(|e| Error::new(ErrorKind::Invalid, e.message))
    }

    /// `decimal.Decimal` for a target that did not say what it wants: a whole number becomes
    /// an integer, a fraction a float when a float holds it exactly. Anything else would lose
    /// digits, which is an error unless `arbitrary_precision` keeps the text.
    #[cold]
    fn visit_decimal_any<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.decimal_text()?;
        #[cfg(feature = "arbitrary_precision")]
        {
            visitor.visit_map(NumberAccess { text: Some(text) })
        }
        #[cfg(not(feature = "arbitrary_precision"))]
        {
            let decimal = Decimal::parse(&text).ok_or_else(|| non_finite_decimal(&text))?;
            if super::number::is_integer_text(&text) {
                return visit_integer_text(&text, visitor);
            }
            match decimal.to_f64_exact(&text) {
                Some(f) => visitor.visit_f64(f),
                None => Err(Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "Decimal('{text}') cannot be held exactly by this target (a 64-bit \
                         float would change it); enable pylambda's `arbitrary_precision` \
                         feature to keep every digit"
                    ),
                )),
            }
        }
    }

    fn decimal_text(&self) -> Result<String, Error> {
        self.obj
            .str()
            .map_err(|e| Error::new(ErrorKind::Invalid, e.message))
    }

    /// Integer targets (`i8`..`u64`, `i128`, `u128`): exact or an error naming the value.
    fn deserialize_integer<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.obj.kind() {
            Kind::Int => match self.obj.as_i64() {
                IntValue::I64(v) => visitor.visit_i64(v),
                IntValue::U64(v) => visitor.visit_u64(v),
                IntValue::Big => visit_integer_text(&self.int_text()?, visitor),
            },
            Kind::Decimal => {
                let text = self.decimal_text()?;
                match Decimal::parse(&text) {
                    Some(d) if d.is_integral() => match d.to_i128() {
                        Some(v) => visit_i128_narrow(v, visitor),
                        None => visit_integer_text(&text, visitor),
                    },
                    _ => Err(de::Error::invalid_type(
                        de::Unexpected::Other(&format!("Decimal('{text}')")),
                        &visitor,
                    )),
                }
            }
            _ => self.deserialize_any_impl(visitor),
        }
    }

    fn deserialize_any_impl<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        let obj = self.obj;
        match obj.kind() {
            Kind::Str => visitor.visit_borrowed_str(self.str()?),
            Kind::Dict => self.visit_dict(visitor),
            Kind::Int => match obj.as_i64() {
                IntValue::I64(v) => visitor.visit_i64(v),
                IntValue::U64(v) => visitor.visit_u64(v),
                IntValue::Big => self.visit_big_int(visitor),
            },
            Kind::List => self.visit_list(visitor),
            Kind::Bool => visitor.visit_bool(obj.is_true()),
            Kind::None => visitor.visit_unit(),
            Kind::Float => {
                let v = obj.as_f64();
                if v.is_finite() {
                    visitor.visit_f64(v)
                } else {
                    Err(non_finite_float(v))
                }
            }
            Kind::Tuple => self.visit_tuple(visitor),
            Kind::Bytes => visitor.visit_borrowed_bytes(obj.as_bytes()),
            Kind::ByteArray => visitor.visit_byte_buf(obj.bytearray_to_vec()),
            Kind::Decimal => self.visit_decimal_any(visitor),
            Kind::Other => Err(unsupported_type(obj)),
        }
    }
}

/// Decimal integer text, for targets that asked for an integer (or did not say).
#[cold]
fn visit_integer_text<'py, V: Visitor<'py>>(text: &str, visitor: V) -> Result<V::Value, Error> {
    let decimal = Decimal::parse(text).ok_or_else(|| non_finite_decimal(text))?;
    let described = || {
        let digits = text.trim_start_matches('-').len();
        if digits > 40 {
            format!("integer with {digits} digits")
        } else {
            format!("integer {text}")
        }
    };
    let result = if let Some(v) = decimal.to_i128() {
        visit_i128_narrow(v, visitor)
    } else if let Some(v) = decimal.to_unsigned() {
        visitor.visit_u128(v)
    } else {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!(
                "{} does not fit in 128 bits (no Rust integer type holds it)",
                described()
            ),
        ));
    };
    result.map_err(|e| Error::new(e.kind(), format!("{}: {}", described(), e.message())))
}

/// Prefers the 64-bit visitor methods (which every visitor implements) when the value fits.
fn visit_i128_narrow<'py, V: Visitor<'py>>(v: i128, visitor: V) -> Result<V::Value, Error> {
    if let Ok(v) = i64::try_from(v) {
        visitor.visit_i64(v)
    } else if let Ok(v) = u64::try_from(v) {
        visitor.visit_u64(v)
    } else {
        visitor.visit_i128(v)
    }
}

#[cold]
pub(crate) fn too_deep(max_depth: u32) -> Error {
    Error::new(
        ErrorKind::TooDeep,
        format!("nested more than {max_depth} levels deep (a cyclic structure?)"),
    )
}

#[cold]
fn non_finite_float(v: f64) -> Error {
    let name = if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    };
    Error::new(
        ErrorKind::Invalid,
        format!(
            "{name} cannot be represented here (JSON numbers are finite; serde_json::Value \
             would turn it into null); use an f64 or Option<f64> field to receive it"
        ),
    )
}

#[cold]
fn non_finite_decimal(text: &str) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("Decimal('{text}') is not a finite number"),
    )
}

#[cold]
pub(crate) fn unsupported_type(obj: PyRef<'_>) -> Error {
    Error::new(
        ErrorKind::UnsupportedType,
        format!(
            "object of type {} cannot be converted (expected dict, list, tuple, str, int, \
             float, bool, None, bytes or decimal.Decimal)",
            obj.type_name()
        ),
    )
}

/// The ten integer methods of `Deserializer`, all sent to one method that reads integers
/// exactly (or names the value that does not fit).
macro_rules! forward_integers_to {
    ($method:ident) => {
        forward_integers_to!(@each $method: deserialize_i8 deserialize_i16 deserialize_i32
            deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
            deserialize_u64 deserialize_u128);
    };
    (@each $method:ident: $($name:ident)+) => {
        $(
            fn $name<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
                self.$method(visitor)
            }
        )+
    };
}

impl<'py> de::Deserializer<'py> for Depythonizer<'py> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(visitor)
    }

    forward_integers_to!(deserialize_integer);

    /// Float targets take NaN and ±Infinity as they are (the runtime's decoder accepts them),
    /// and a Decimal rounded to the nearest double, which is what asking for an `f64` means.
    fn deserialize_f64<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.obj.kind() {
            Kind::Float => visitor.visit_f64(self.obj.as_f64()),
            Kind::Decimal => {
                let text = self.decimal_text()?;
                match text.as_str() {
                    "NaN" | "-NaN" | "sNaN" | "-sNaN" => visitor.visit_f64(f64::NAN),
                    "Infinity" => visitor.visit_f64(f64::INFINITY),
                    "-Infinity" => visitor.visit_f64(f64::NEG_INFINITY),
                    _ => match text.parse::<f64>() {
                        Ok(f) => visitor.visit_f64(f),
                        Err(_) => Err(non_finite_decimal(&text)),
                    },
                }
            }
            _ => self.deserialize_any_impl(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_bool<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }
    fn deserialize_char<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }
    fn deserialize_str<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }
    fn deserialize_string<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    /// Bytes targets (`serde_bytes`) take `bytes`, `bytearray`, and `str` as its UTF-8.
    fn deserialize_bytes<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(visitor)
    }

    fn deserialize_option<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.obj.is_none() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'py>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any_impl(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'py>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    fn deserialize_tuple<V: Visitor<'py>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'py>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    fn deserialize_map<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    fn deserialize_struct<V: Visitor<'py>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    /// Externally tagged, as serde_json: `"Variant"` or `{"Variant": content}`.
    fn deserialize_enum<V: Visitor<'py>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.obj.kind() {
            Kind::Str => visitor.visit_enum(self.str()?.into_deserializer()),
            Kind::Dict => {
                self.enter()?;
                let mut items = self.obj.dict_items();
                match (items.next(), items.next()) {
                    (Some((key, value)), None) => {
                        let variant = match key.kind() {
                            Kind::Str => key
                                .as_str()
                                .map_err(|e| Error::new(ErrorKind::Invalid, e.message))?,
                            _ => {
                                return Err(Error::new(
                                    ErrorKind::Invalid,
                                    "an enum variant name must be a str",
                                ))
                            }
                        };
                        let content = self.child(value);
                        visitor
                            .visit_enum(Variant { variant, content })
                            .map_err(|e| e.within(Segment::Key(variant.to_owned())))
                    }
                    _ => Err(Error::new(
                        ErrorKind::Invalid,
                        "an enum must be a str (unit variant) or a dict with exactly one key",
                    )),
                }
            }
            _ => Err(de::Error::invalid_type(unexpected(self.obj), &visitor)),
        }
    }

    fn deserialize_identifier<V: Visitor<'py>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_any_impl(v)
    }

    /// Skipped values (unknown struct fields) are not converted at all.
    fn deserialize_ignored_any<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        true
    }
}

/// How a Python value is described in "invalid type" messages.
fn unexpected(obj: PyRef<'_>) -> de::Unexpected<'static> {
    match obj.kind() {
        Kind::Str => de::Unexpected::Other("a str"),
        Kind::Int => de::Unexpected::Other("an int"),
        Kind::Bool => de::Unexpected::Other("a bool"),
        Kind::None => de::Unexpected::Unit,
        Kind::Float => de::Unexpected::Other("a float"),
        Kind::List | Kind::Tuple => de::Unexpected::Seq,
        Kind::Dict => de::Unexpected::Map,
        Kind::Bytes | Kind::ByteArray => de::Unexpected::Other("bytes"),
        Kind::Decimal => de::Unexpected::Other("a Decimal"),
        Kind::Other => de::Unexpected::Other("an unsupported object"),
    }
}

/// A list or tuple as a serde sequence.
struct ListAccess<'a, 'py> {
    de: &'a Depythonizer<'py>,
    index: usize,
    len: usize,
    tuple: bool,
}

impl<'py> SeqAccess<'py> for ListAccess<'_, 'py> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'py>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.index >= self.len {
            return Ok(None);
        }
        let i = self.index;
        let item = if self.tuple {
            self.de.obj.tuple_item(i)
        } else {
            self.de.obj.list_item(i)
        };
        let Some(item) = item else { return Ok(None) };
        self.index += 1;
        seed.deserialize(self.de.child(item))
            .map(Some)
            .map_err(|e| e.within(Segment::Index(i)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len - self.index)
    }
}

/// A dict as a serde map, in insertion order.
struct DictAccess<'a, 'py> {
    de: &'a Depythonizer<'py>,
    items: crate::ffi::DictItems<'py>,
    len: usize,
    value: Option<PyRef<'py>>,
    /// The current key, kept (borrowed) only to name it in an error.
    key: Option<PyRef<'py>>,
}

impl<'py> MapAccess<'py> for DictAccess<'_, 'py> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'py>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.items.next() else {
            return Ok(None);
        };
        self.len = self.len.saturating_sub(1);
        self.value = Some(value);
        self.key = Some(key);
        // A key that cannot be a key at all is an error about this dict (no segment); a key
        // the target rejects (`unknown field`) is named in the path.
        let text = key_text(key)?;
        let for_error = match &text {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(*s),
            std::borrow::Cow::Owned(_) => std::borrow::Cow::Owned(String::new()),
        };
        seed.deserialize(KeyDeserializer { text })
            .map(Some)
            .map_err(|e| match for_error {
                std::borrow::Cow::Borrowed(s) => e.within(Segment::Key(s.to_owned())),
                std::borrow::Cow::Owned(_) => e.within(key_segment(key)),
            })
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'py>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Error::new(ErrorKind::Invalid, "next_value called before next_key"))?;
        seed.deserialize(self.de.child(value))
            .map_err(|e| match self.key {
                Some(key) => e.within(key_segment(key)),
                None => e,
            })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}

/// The path segment naming a dict key (only built on the error path).
#[cold]
fn key_segment(key: PyRef<'_>) -> Segment {
    match key_text(key) {
        Ok(text) => Segment::Key(text.into_owned()),
        Err(_) => Segment::Key(format!("<{} key>", key.type_name())),
    }
}

/// A dict key as the text JSON would write: str as is; int, float, bool and None in their
/// JSON spelling, exactly as `json.dumps` and `simplejson.dumps` do; anything else is an error.
pub(crate) fn key_text<'py>(key: PyRef<'py>) -> Result<std::borrow::Cow<'py, str>, Error> {
    use std::borrow::Cow;
    match key.kind() {
        Kind::Str => key.as_str().map(Cow::Borrowed).map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("dict key cannot be converted to UTF-8: {}", e.message),
            )
        }),
        Kind::Bool => Ok(Cow::Borrowed(if key.is_true() { "true" } else { "false" })),
        Kind::None => Ok(Cow::Borrowed("null")),
        Kind::Int => match key.as_i64() {
            IntValue::I64(v) => Ok(Cow::Owned(v.to_string())),
            IntValue::U64(v) => Ok(Cow::Owned(v.to_string())),
            IntValue::Big => key
                .str()
                .map(Cow::Owned)
                .map_err(|e| Error::new(ErrorKind::Invalid, e.message)),
        },
        Kind::Float => {
            let v = key.as_f64();
            if v.is_nan() {
                Ok(Cow::Borrowed("NaN"))
            } else if v.is_infinite() {
                Ok(Cow::Borrowed(if v > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                }))
            } else {
                key.repr()
                    .map(Cow::Owned)
                    .map_err(|e| Error::new(ErrorKind::Invalid, e.message))
            }
        }
        _ => Err(Error::new(
            ErrorKind::UnsupportedType,
            format!(
                "dict key of type {} cannot be converted (keys must be str, int, float, bool or \
                 None)",
                key.type_name()
            ),
        )),
    }
}

/// Deserializes a dict key: always a string, borrowed when the key is a `str`.
struct KeyDeserializer<'py> {
    text: std::borrow::Cow<'py, str>,
}

impl<'py> de::Deserializer<'py> for KeyDeserializer<'py> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text {
            std::borrow::Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            std::borrow::Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    // Integer-keyed maps (`HashMap<u32, _>`): parse the key text, as serde_json does.
    forward_integers_to!(integer_key);

    fn deserialize_option<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'py>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'py>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.text {
            std::borrow::Cow::Borrowed(s) => visitor.visit_enum(s.into_deserializer()),
            std::borrow::Cow::Owned(s) => visitor.visit_enum(s.into_deserializer()),
        }
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'py>>
        bool f32 f64 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

impl<'py> KeyDeserializer<'py> {
    fn integer_key<V: Visitor<'py>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.text;
        match Decimal::parse(&text).filter(|_| super::number::is_integer_text(&text)) {
            Some(d) => match d.to_i128() {
                Some(v) => visit_i128_narrow(v, visitor),
                None => visit_integer_text(&text, visitor),
            },
            None => Err(de::Error::invalid_value(
                de::Unexpected::Str(&text),
                &visitor,
            )),
        }
    }
}

/// `{"Variant": content}` as serde's enum access.
struct Variant<'py> {
    variant: &'py str,
    content: Depythonizer<'py>,
}

impl<'py> EnumAccess<'py> for Variant<'py> {
    type Error = Error;
    type Variant = Depythonizer<'py>;

    fn variant_seed<V: DeserializeSeed<'py>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, self.content))
    }
}

impl<'py> VariantAccess<'py> for Depythonizer<'py> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'py>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'py>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'py>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

/// serde_json's private protocol for an exact number under `arbitrary_precision`: a map with
/// one entry, `"$serde_json::private::Number" => "<digits>"`.
#[cfg(feature = "arbitrary_precision")]
struct NumberAccess {
    text: Option<String>,
}

#[cfg(feature = "arbitrary_precision")]
impl<'py> MapAccess<'py> for NumberAccess {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'py>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.text.is_none() {
            return Ok(None);
        }
        seed.deserialize(super::SERDE_JSON_NUMBER_TOKEN.into_deserializer())
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'py>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let text = self.text.take().unwrap_or_default();
        seed.deserialize(text.into_deserializer())
    }
}
