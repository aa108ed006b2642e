//! `libcpython_routes.value(event)`: the identity round trip into `serde_json::Value` through
//! rust-cpython's `serde-convert` (`cpython::serde::{from_py_object, to_py_object}`), with a
//! `py_fn!` entry point — how a crowbar-style rust-cpython Lambda converts its event.

use cpython::{py_fn, py_module_initializer, PyObject, PyResult, Python};
use serde_json::Value;

/// Python → `Value` → Python with rust-cpython's own machinery.
fn value(py: Python, event: PyObject) -> PyResult<PyObject> {
    let value: Value = cpython::serde::from_py_object(py, event)?;
    // Like pylambda and the PyO3 route: the handler body runs without the GIL.
    let value = py.allow_threads(move || value);
    Ok(cpython::serde::to_py_object(py, &value)?)
}

py_module_initializer!(libcpython_routes, |py, m| {
    m.add(py, "value", py_fn!(py, value(event: PyObject)))?;
    Ok(())
});
