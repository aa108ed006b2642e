//! Calls into Python for the logging bridge (`crate::logging`) and Python-callable Rust
//! functions (`crate::interop`). Every call is a function of CPython 3.11's stable ABI
//! (checked against python/pylambda/data/stable_abi_3.11.txt).

use std::ffi::CStr;

use super::*;

/// Whether the interpreter is initialized (`Py_IsInitialized`). Checked before a thread that
/// may outlive Python takes the GIL for a log record: after `Py_FinalizeEx` has finished,
/// `PyGILState_Ensure` would crash.
#[allow(dead_code)] // the logging bridge's, which features may leave out
pub fn is_initialized() -> bool {
    // SAFETY: callable at any time, with or without the GIL (reads a global flag).
    unsafe { sys::Py_IsInitialized() != 0 }
}

/// `import name` (a new reference to the module; cheap once it is in `sys.modules`).
#[allow(dead_code)] // the logging bridge's, which features may leave out
pub fn import_module(_py: Python<'_>, name: &CStr) -> Result<PyOwned, PyErr> {
    import(name)
}

/// `callable(*args)`, for the logging bridge's calls into `logging`.
///
/// Invariant: runs arbitrary Python code, so no [`PyRef`] into a container that code could
/// change may be relied on across it (callers pass only objects they own or module globals).
pub fn call(callable: PyRef<'_>, args: &[PyRef<'_>]) -> Result<PyOwned, PyErr> {
    let py = callable.py();
    let tuple = new_tuple(py, args);
    // SAFETY: callable is alive (borrowed for 'py), tuple is a tuple we own; kwargs NULL.
    unsafe {
        PyOwned::from_new(sys::PyObject_Call(
            callable.as_ptr(),
            tuple.ptr.as_ptr(),
            std::ptr::null_mut(),
        ))
    }
}

/// `obj.name(*args)`.
#[allow(dead_code)] // the logging bridge's, which features may leave out
pub fn call_method(
    obj: PyRef<'_>,
    name: &'static CStr,
    args: &[PyRef<'_>],
) -> Result<PyOwned, PyErr> {
    let method = obj.getattr(name).ok_or_else(PyErr::fetch)?;
    call(method.borrow(obj.py()), args)
}

/// A new tuple holding new references to `items` (`PyTuple_New` + `PyTuple_SetItem`, both
/// functions: no tuple layout is touched). Also how several positional arguments of an exported
/// Rust function become one value to convert.
pub fn new_tuple(_py: Python<'_>, items: &[PyRef<'_>]) -> PyOwned {
    // SAFETY: PyTuple_New(n) gives n NULL slots that we fill at once; a tuple with NULL slots
    // is still safe to release. PyTuple_SetItem steals the reference we make for it.
    unsafe {
        let tuple = PyOwned::from_new_or_oom(sys::PyTuple_New(items.len() as sys::Py_ssize_t));
        for (i, item) in items.iter().enumerate() {
            sys::PyTuple_SetItem(
                tuple.ptr.as_ptr(),
                i as sys::Py_ssize_t,
                PyOwned::from_borrowed(*item).into_raw(),
            );
        }
        tuple
    }
}

/// `bool(obj)`; an object whose `__bool__` raises counts as false (the error is cleared).
#[allow(dead_code)] // the logging bridge's, which features may leave out
pub fn is_truthy(obj: PyRef<'_>) -> bool {
    // SAFETY: obj alive; PyObject_IsTrue returns -1 with an exception set on error.
    match unsafe { sys::PyObject_IsTrue(obj.as_ptr()) } {
        1 => true,
        0 => false,
        _ => {
            let _ = PyErr::fetch();
            false
        }
    }
}

/// Runs `f` with no exception pending, and puts back the exception that was pending before, if
/// any (`PyErr_Fetch`/`PyErr_Restore`). A log record can be emitted from Rust code that runs
/// while an exception is already set (say, a `Serialize` impl during a failing conversion):
/// calling into Python with an exception pending is undefined, and the record's own failures
/// must not replace the real error.
#[allow(dead_code)] // the logging bridge's, which features may leave out
pub fn preserving_exception<T>(_py: Python<'_>, f: impl FnOnce() -> T) -> T {
    struct Saved([*mut RawObject; 3]);
    impl Drop for Saved {
        fn drop(&mut self) {
            // SAFETY: GIL held (same scope as the fetch); Restore steals the three references
            // (any of them may be NULL). It first drops whatever `f` left pending.
            unsafe {
                if !sys::PyErr_Occurred().is_null() {
                    sys::PyErr_Clear();
                }
                sys::PyErr_Restore(self.0[0], self.0[1], self.0[2]);
            }
        }
    }
    let mut saved = Saved([std::ptr::null_mut(); 3]);
    // SAFETY: GIL held (token); Fetch hands us the (possibly NULL) references and clears.
    unsafe {
        let [t, v, tb] = &mut saved.0;
        sys::PyErr_Fetch(t, v, tb);
    }
    f()
}

/// Whether `dict` holds `key` (`PyDict_GetItem`: a borrowed lookup that raises nothing; `key`
/// should be a `str`, whose hash CPython caches, so a repeated check is one probe).
#[allow(dead_code)] // the logging bridge's, which features may leave out
pub fn dict_contains(dict: PyRef<'_>, key: PyRef<'_>) -> bool {
    // SAFETY: dict is a dict (callers check the kind), key a live object.
    unsafe { !sys::PyDict_GetItem(dict.as_ptr(), key.as_ptr()).is_null() }
}
