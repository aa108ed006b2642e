//! Raw-pointer entry points into the conversion engine, for the crate's own integration tests
//! (`tests/embedded.rs`, which embed an interpreter). Not public API.

use serde::de::{Deserialize, DeserializeOwned};
use serde::Serialize;

use crate::convert::{self, Error};
use crate::ffi::{PyRef, Python, RawObject};

/// # Safety
/// GIL held; `obj` alive for `'a`.
pub unsafe fn from_python<'a, T: Deserialize<'a>>(obj: *mut RawObject) -> Result<T, Error> {
    let py: Python<'a> = Python::assume_gil_acquired();
    convert::from_python(PyRef::from_raw(py, obj).expect("non-NULL object"))
}

/// The handler path (with the direct `serde_json::Value` route).
///
/// # Safety
/// GIL held; `obj` alive.
pub unsafe fn from_python_owned<T: DeserializeOwned + 'static>(
    obj: *mut RawObject,
) -> Result<T, Error> {
    let py = Python::assume_gil_acquired();
    convert::from_python_owned(PyRef::from_raw(py, obj).expect("non-NULL object"))
}

/// A new reference to the converted value.
///
/// # Safety
/// GIL held.
pub unsafe fn to_python<T: Serialize + 'static>(value: &T) -> Result<*mut RawObject, Error> {
    let py = Python::assume_gil_acquired();
    // The same routes as a handler's response: the direct one for `Value` (which consumes its
    // input, hence the clone), serde's for everything else.
    let converted = match (value as &dyn std::any::Any).downcast_ref::<serde_json::Value>() {
        Some(value) => convert::to_python_owned(py, value.clone()),
        None => convert::to_python(py, value),
    };
    converted.map(|o| o.into_raw())
}

/// See `ffi::check_object_layout`.
///
/// # Safety
/// GIL held.
pub unsafe fn check_object_layout() -> Result<(), String> {
    crate::ffi::check_object_layout(Python::assume_gil_acquired())
}
