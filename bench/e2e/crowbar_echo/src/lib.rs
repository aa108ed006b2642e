//! `libcrowbar_echo.handler(event, context)`: the echo function as crowbar wrote Lambda handlers
//! in 2018, on rust-cpython's own machinery: `py_module_initializer!` for the module, `py_fn!`
//! for the entry point (tuple argument parsing), and `cpython::serde` (serde-convert) to turn
//! the runtime's Python event into `serde_json::Value` and back.
//!
//! It is the benchmark's reference for "what the old design costs": the same work as
//! `examples/echo` (event → `Value` → response), through the layers pylambda replaced.

use cpython::{py_fn, py_module_initializer, PyObject, PyResult, Python};
use serde_json::Value;

/// Returns the event unchanged. crowbar read the context into a struct too; an echo ignores it,
/// as `examples/echo` does, so that only the conversion and the entry point differ.
fn handler(py: Python, event: PyObject, _context: PyObject) -> PyResult<PyObject> {
    let value: Value = cpython::serde::from_py_object(py, event)?;
    // crowbar ran the handler with the GIL held; releasing it (as pylambda does) costs two
    // atomic operations and keeps the comparison about the conversions.
    let value = py.allow_threads(move || value);
    Ok(cpython::serde::to_py_object(py, &value)?)
}

py_module_initializer!(libcrowbar_echo, |py, m| {
    m.add(
        py,
        "handler",
        py_fn!(py, handler(event: PyObject, context: PyObject)),
    )?;
    Ok(())
});
