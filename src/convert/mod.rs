//! The conversion engine: Python objects ⇄ serde, exact and in place.
//!
//! See the crate documentation for the table of what converts to what. Entry points:
//! `from_python` (a `Deserializer` over Python objects) and `to_python` (a `Serializer`
//! that builds them), both crate-internal; both stop at [`max_depth`] levels of nesting.

mod de;
pub mod error;
mod event_strings;
mod keys;
mod number;
mod ser;
mod shapes;
mod value;

use std::sync::atomic::{AtomicU32, Ordering};

use std::any::{Any, TypeId};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use error::{Error, ErrorKind, Segment};
pub(crate) use event_strings::EventStrings;

use crate::ffi::{PyOwned, PyRef, Python};

/// The private struct name serde_json uses for exact numbers (`arbitrary_precision`).
pub(crate) const SERDE_JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The nesting limit used unless [`set_max_depth`] says otherwise.
pub const DEFAULT_MAX_DEPTH: u32 = 128;

static MAX_DEPTH: AtomicU32 = AtomicU32::new(DEFAULT_MAX_DEPTH);

/// Sets how deeply nested events and responses may be, in both directions (default
/// [`DEFAULT_MAX_DEPTH`], the same as serde_json's recursion limit). Deeper data — or a
/// Python structure that contains itself — fails with an error naming the path instead of
/// overflowing the stack. Call it from the init function.
///
/// ```
/// pylambda::convert::set_max_depth(512);
/// assert_eq!(pylambda::convert::max_depth(), 512);
/// # pylambda::convert::set_max_depth(pylambda::convert::DEFAULT_MAX_DEPTH);
/// ```
pub fn set_max_depth(depth: u32) {
    MAX_DEPTH.store(depth.max(1), Ordering::Relaxed);
}

/// The current nesting limit (see [`set_max_depth`]).
pub fn max_depth() -> u32 {
    MAX_DEPTH.load(Ordering::Relaxed)
}

/// Reads a Python object into `T`. Strings may be borrowed from the object for `'py`.
///
/// The cyclic garbage collector waits until the object is read ([`GcPause`](crate::ffi::GcPause)):
/// the engine holds borrowed references into the event, and a collection set off by an
/// allocation (an error message, say) could run a finalizer that changes it.
pub(crate) fn from_python<'py, T: Deserialize<'py>>(obj: PyRef<'py>) -> Result<T, Error> {
    let _pause = crate::ffi::GcPause::new(obj.py());
    through_serde(obj)
}

/// [`from_python`] for owned targets, with the direct path for `serde_json::Value`, which
/// records its strings in `strings` for the response ([`EventStrings`]).
pub(crate) fn from_python_owned<'py, T: DeserializeOwned + 'static>(
    obj: PyRef<'py>,
    strings: &mut EventStrings<'py>,
) -> Result<T, Error> {
    let _pause = crate::ffi::GcPause::new(obj.py());
    if TypeId::of::<T>() == TypeId::of::<serde_json::Value>() {
        let value = value::from_python(obj, max_depth(), strings)?;
        return Ok(cast(value));
    }
    through_serde(obj)
}

/// The `Deserializer`, with no pause of its own (the entry points above hold one); also the
/// `Value` path's route for the rarer values it leaves to serde.
fn through_serde<'py, T: Deserialize<'py>>(obj: PyRef<'py>) -> Result<T, Error> {
    T::deserialize(de::Depythonizer::new(obj, max_depth()))
}

/// [`to_python`], with the direct path for `serde_json::Value`.
///
/// Takes the response by value: a `Value` is consumed as it is converted, so each string and
/// map is freed right after its Python object is built, while it is still in cache, instead
/// of by a second walk over the whole tree afterwards. The cyclic garbage collector waits
/// until the response is built ([`GcPause`](crate::ffi::GcPause): on CPython 3.11 it would
/// walk the half-built response a dozen times, and could run finalizers in the middle).
/// A `Value`'s strings that `strings` recorded from the event, unchanged, become the event's
/// `str`s again ([`EventStrings`]). With an `invocation` (the runtime client's context object),
/// the pause lasts until that is freed, at the end of the invocation, so that the collection
/// the response is owed does not run while the runtime client is sending it
/// ([`GcPause::resume_when_freed`](crate::ffi::GcPause::resume_when_freed)).
pub(crate) fn to_python_owned<'py, T: Serialize + 'static>(
    py: Python<'py>,
    value: T,
    strings: &mut EventStrings<'_>,
    invocation: Option<PyRef<'py>>,
) -> Result<PyOwned, Error> {
    let pause = crate::ffi::GcPause::new(py);
    let built = if TypeId::of::<T>() == TypeId::of::<serde_json::Value>() {
        let value: serde_json::Value = cast(value);
        value::to_python(py, value, max_depth(), strings)
    } else {
        to_python(py, &value)
    };
    if let (Ok(_), Some(owner)) = (&built, invocation) {
        pause.resume_when_freed(owner);
    }
    built
}

/// Moves a value whose type was just checked to be `B` into a `B`.
fn cast<A: 'static, B: 'static>(a: A) -> B {
    let mut slot = Some(a);
    (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<B>>()
        .and_then(Option::take)
        .expect("cast: types were checked equal")
}

/// Builds a Python object from `value`.
pub(crate) fn to_python<T: Serialize + ?Sized>(
    py: Python<'_>,
    value: &T,
) -> Result<PyOwned, Error> {
    value.serialize(ser::Pythonizer::new(py, max_depth()))
}
