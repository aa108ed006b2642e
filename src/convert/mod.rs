//! The conversion engine: Python objects ⇄ serde, exact and in place.
//!
//! See the crate documentation for the table of what converts to what. Entry points:
//! [`from_python`] (a `Deserializer` over Python objects) and [`to_python`] (a `Serializer`
//! that builds them); both stop at [`max_depth`] levels of nesting.

mod de;
pub mod error;
mod keys;
mod number;
mod ser;

use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

pub use error::{Error, ErrorKind, Segment};

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
pub(crate) fn from_python<'py, T: Deserialize<'py>>(obj: PyRef<'py>) -> Result<T, Error> {
    T::deserialize(de::Depythonizer::new(obj, max_depth()))
}

/// Builds a Python object from `value`.
pub(crate) fn to_python<T: Serialize + ?Sized>(py: Python<'_>, value: &T) -> Result<PyOwned, Error> {
    value.serialize(ser::Pythonizer::new(py, max_depth()))
}
