//! Rust values → new Python objects.

use std::ffi::{c_char, CStr, CString};

use super::*;

pub fn none(py: Python<'_>) -> PyOwned {
    // SAFETY: Py_None is a static object; we take a new reference to it.
    PyOwned::from_borrowed(unsafe { PyRef::from_raw(py, sys::Py_None()) }.expect("Py_None"))
}

pub fn new_bool(py: Python<'_>, v: bool) -> PyOwned {
    // SAFETY: the two bool singletons are static objects.
    let ptr = unsafe {
        if v {
            sys::Py_True()
        } else {
            sys::Py_False()
        }
    };
    PyOwned::from_borrowed(unsafe { PyRef::from_raw(py, ptr) }.expect("Py_True/Py_False"))
}

#[inline]
pub fn new_int_i64(_py: Python<'_>, v: i64) -> PyOwned {
    // SAFETY: GIL held (token); fails only on MemoryError.
    unsafe { PyOwned::from_new_or_oom(sys::PyLong_FromLongLong(v)) }
}

#[inline]
pub fn new_int_u64(_py: Python<'_>, v: u64) -> PyOwned {
    unsafe { PyOwned::from_new_or_oom(sys::PyLong_FromUnsignedLongLong(v)) }
}

/// An `int` from decimal text (for 128-bit and arbitrary-precision values).
pub fn new_int_from_decimal(_py: Python<'_>, digits: &str) -> Result<PyOwned, PyErr> {
    let text = CString::new(digits).map_err(|_| PyErr::msg("integer text contains NUL"))?;
    // SAFETY: NUL-terminated text, base 10; NULL + ValueError on malformed text.
    unsafe {
        PyOwned::from_new(sys::PyLong_FromString(
            text.as_ptr(),
            std::ptr::null_mut(),
            10,
        ))
    }
}

#[inline]
pub fn new_float(_py: Python<'_>, v: f64) -> PyOwned {
    unsafe { PyOwned::from_new_or_oom(sys::PyFloat_FromDouble(v)) }
}

/// A `str` from Rust UTF-8.
#[inline]
pub fn new_str(_py: Python<'_>, s: &str) -> PyOwned {
    // SAFETY: valid UTF-8 of the given length; CPython copies it.
    unsafe {
        PyOwned::from_new_or_oom(sys::PyUnicode_FromStringAndSize(
            s.as_ptr() as *const c_char,
            s.len() as sys::Py_ssize_t,
        ))
    }
}

pub fn new_bytes(_py: Python<'_>, b: &[u8]) -> PyOwned {
    unsafe {
        PyOwned::from_new_or_oom(sys::PyBytes_FromStringAndSize(
            b.as_ptr() as *const c_char,
            b.len() as sys::Py_ssize_t,
        ))
    }
}

/// A list of exactly `len` slots, to be filled with [`ListBuilder::push`].
pub struct ListBuilder {
    list: PyOwned,
    len: usize,
    filled: usize,
}

impl ListBuilder {
    pub fn new(_py: Python<'_>, len: usize) -> ListBuilder {
        // SAFETY: PyList_New(n) returns a list of n NULL slots that we fill before anyone sees
        // it; a list with NULL slots is still safe to deallocate (it XDECREFs).
        let list = unsafe { PyOwned::from_new_or_oom(sys::PyList_New(len as sys::Py_ssize_t)) };
        ListBuilder {
            list,
            len,
            filled: 0,
        }
    }

    /// Appends the next item; `false` (and the item dropped) when the list is already full.
    #[inline]
    pub fn push(&mut self, item: PyOwned) -> bool {
        if self.filled == self.len {
            return false;
        }
        // SAFETY: index in bounds; PyList_SetItem steals the reference.
        unsafe {
            sys::PyList_SetItem(
                self.list.ptr.as_ptr(),
                self.filled as sys::Py_ssize_t,
                item.into_raw(),
            )
        };
        self.filled += 1;
        true
    }

    /// The finished list, or `None` if fewer items than promised were pushed (the half-filled
    /// list is released safely).
    pub fn finish(self) -> Option<PyOwned> {
        (self.filled == self.len).then_some(self.list)
    }
}

/// A new empty dict.
pub fn new_dict(_py: Python<'_>) -> PyOwned {
    // SAFETY: fails only on MemoryError. (There is no stable-ABI way to presize a dict.)
    unsafe { PyOwned::from_new_or_oom(sys::PyDict_New()) }
}

/// `dict[key] = value` (the dict takes its own references).
#[inline]
pub fn dict_set(dict: &PyOwned, key: &PyOwned, value: &PyOwned) -> Result<(), PyErr> {
    // SAFETY: dict is a dict we created; key is a str (hashable) or another hashable object.
    let rc =
        unsafe { sys::PyDict_SetItem(dict.ptr.as_ptr(), key.ptr.as_ptr(), value.ptr.as_ptr()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch())
    }
}

/// `dict[key] = value` for a key borrowed from a dict being iterated: replacing the value of a
/// key the dict has is the one change allowed while `PyDict_Next` walks it.
#[inline]
pub fn dict_set_borrowed_key(dict: &PyOwned, key: PyRef<'_>, value: &PyOwned) -> Result<(), PyErr> {
    // SAFETY: dict is a dict we created; key is alive (held by a dict) and hashable.
    let rc = unsafe { sys::PyDict_SetItem(dict.ptr.as_ptr(), key.as_ptr(), value.ptr.as_ptr()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch())
    }
}

/// A shallow copy of a dict we created (`PyDict_Copy`: for a dict never deleted from, one
/// copy of its table, no rehashing), with the same keys in the same order.
pub fn dict_copy(_py: Python<'_>, dict: &PyOwned) -> PyOwned {
    // SAFETY: dict is an exact dict; copying it runs no Python code (fails only on MemoryError).
    unsafe { PyOwned::from_new_or_oom(sys::PyDict_Copy(dict.ptr.as_ptr())) }
}

/// `decimal.Decimal(text)`, for numbers that a float would round.
pub fn new_decimal(py: Python<'_>, text: &str) -> Result<PyOwned, PyErr> {
    static DECIMAL: GilCell<Option<PyOwned>> = GilCell::new(None);
    let cls = cached_class(py, &DECIMAL, c"decimal", c"Decimal")?;
    construct_from_str(py, &cls, text)
}

/// `simplejson.raw_json.RawJSON(text)`: JSON text that the runtime's encoder (simplejson)
/// writes as it is. `None` where simplejson cannot be imported: tried once per process, so a
/// caller without it does not raise and clear an ImportError on every response.
pub fn new_raw_json(py: Python<'_>, text: &str) -> Option<Result<PyOwned, PyErr>> {
    static RAW_JSON: GilCell<Option<PyOwned>> = GilCell::new(None);
    static MISSING: GilCell<bool> = GilCell::new(false);
    if MISSING.with(py, |missing| *missing) {
        return None;
    }
    match cached_class(py, &RAW_JSON, c"simplejson.raw_json", c"RawJSON") {
        Ok(cls) => Some(construct_from_str(py, &cls, text)),
        Err(_) => {
            MISSING.with(py, |missing| *missing = true);
            None
        }
    }
}

/// `json.loads(text)`: the objects Python's own JSON decoder makes of the text (exact, floats
/// included).
pub fn json_loads(py: Python<'_>, text: &str) -> Result<PyOwned, PyErr> {
    static LOADS: GilCell<Option<PyOwned>> = GilCell::new(None);
    let loads = cached_class(py, &LOADS, c"json", c"loads")?;
    construct_from_str(py, &loads, text)
}

/// `module.name` (a class, or a function), imported on first use and kept for the life of
/// the process.
fn cached_class(
    py: Python<'_>,
    cache: &GilCell<Option<PyOwned>>,
    module: &CStr,
    name: &'static CStr,
) -> Result<PyOwned, PyErr> {
    if let Some(cls) = cache.with(py, |c| c.as_ref().map(|cls| cls.clone_ref(py))) {
        return Ok(cls);
    }
    let cls = import(module)?
        .borrow(py)
        .getattr(name)
        .ok_or_else(PyErr::fetch)?;
    let stored = cls.clone_ref(py);
    cache.with(py, |c| *c = Some(stored));
    Ok(cls)
}

/// `cls(text)` for a class implemented in C (`Decimal`), one that only stores its argument
/// (`RawJSON`), or `json.loads`.
fn construct_from_str(py: Python<'_>, cls: &PyOwned, text: &str) -> Result<PyOwned, PyErr> {
    let arg = new_str(py, text);
    // SAFETY: calling a class with one str argument; NULL-terminated argument list.
    unsafe {
        PyOwned::from_new(sys::PyObject_CallFunctionObjArgs(
            cls.ptr.as_ptr(),
            arg.ptr.as_ptr(),
            std::ptr::null_mut::<RawObject>(),
        ))
    }
}

pub(super) fn import(name: &CStr) -> Result<PyOwned, PyErr> {
    // SAFETY: NUL-terminated module name.
    unsafe { PyOwned::from_new(sys::PyImport_ImportModule(name.as_ptr())) }
}
