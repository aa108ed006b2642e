//! Raw-pointer entry points into the conversion engine, for the crate's own integration tests
//! (`tests/embedded.rs`) and the fuzz harness (`fuzz/`), which embed an interpreter. Not public
//! API.

use serde::de::{Deserialize, DeserializeOwned};
use serde::Serialize;

use std::ffi::CStr;

use super::sys;
use crate::convert::{self, Error};
use crate::ffi::{PyRef, Python, RawObject};

/// What [`run_in_main`] runs: statements (`exec`) or one expression (`eval`).
#[derive(Clone, Copy, Debug)]
pub enum Code {
    /// Statements; the result is `None`.
    Statements,
    /// One expression; the result is its value.
    Expression,
}

/// Runs Python code in `__main__`'s namespace: a new reference to the result, or NULL with
/// the exception set. For the harnesses that embed an interpreter (`tests/embedded.rs`,
/// `fuzz/`) to make their test objects.
///
/// # Safety
/// The interpreter is initialized and this thread holds the GIL.
pub unsafe fn run_in_main(code: &CStr, kind: Code) -> *mut RawObject {
    let start = match kind {
        Code::Statements => sys::Py_file_input,
        Code::Expression => sys::Py_eval_input,
    };
    // `__main__` always exists once the interpreter runs; its dict is borrowed from it.
    let globals = sys::PyModule_GetDict(sys::PyImport_AddModule(c"__main__".as_ptr()));
    sys::PyRun_StringFlags(code.as_ptr(), start, globals, globals, std::ptr::null_mut())
}

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
    let obj = PyRef::from_raw(py, obj).expect("non-NULL object");
    convert::from_python_owned(obj, &mut convert::EventStrings::new())
}

/// A handler's whole call for a `Value` handler that applies `handle` to its event: the
/// event read (its strings recorded), `handle`, the response built (recorded strings that
/// `handle` left unchanged answered with the event's `str`s). A new reference.
///
/// # Safety
/// GIL held; `obj` alive.
pub unsafe fn call_value_handler(
    obj: *mut RawObject,
    handle: impl FnOnce(&mut serde_json::Value),
) -> Result<*mut RawObject, Error> {
    let py = Python::assume_gil_acquired();
    let obj = PyRef::from_raw(py, obj).expect("non-NULL object");
    let mut strings = convert::EventStrings::new();
    let mut value: serde_json::Value = convert::from_python_owned(obj, &mut strings)?;
    handle(&mut value);
    convert::to_python_owned(py, value, &mut strings, None).map(|o| o.into_raw())
}

/// How many strings the next call that reads its event into a `Value` makes room for: as
/// many as the last such call recorded.
pub fn string_room_for_next_call() -> usize {
    convert::EventStrings::room_for_next_call()
}

/// Calls `f` on every string value of `v` (not keys): how the tests' handlers change the
/// strings of their event (`call_value_handler`, the fuzz harness, `tests/probe`).
pub fn each_string(v: &mut serde_json::Value, f: &mut impl FnMut(&mut String)) {
    use serde_json::Value;
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|i| each_string(i, f)),
        Value::Object(map) => map.values_mut().for_each(|i| each_string(i, f)),
        _ => {}
    }
}

/// Puts every list and map of `v` in reverse order: a response whose strings come back in
/// another order than the event's.
pub fn reverse_all(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Array(items) => {
            items.reverse();
            items.iter_mut().for_each(reverse_all);
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = std::mem::take(map).into_iter().collect();
            entries.reverse();
            entries.iter_mut().for_each(|(_, item)| reverse_all(item));
            map.extend(entries);
        }
        _ => {}
    }
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
        Some(value) => {
            convert::to_python_owned(py, value.clone(), &mut convert::EventStrings::new(), None)
        }
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
