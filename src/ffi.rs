//! The one module that talks to CPython. Every `unsafe` block of the crate is here.
//!
//! # Rules this module keeps (and why)
//!
//! * **Functions, not layouts.** CPython 3.14 changed `PyTupleObject`, 3.12 changed what a
//!   reference count means (immortal objects), free-threaded builds change it again. So we call
//!   C-API *functions* of the stable ABI (`PyList_GetItem`, `Py_IncRef`, ...) and never the
//!   struct-layout macros (`PyTuple_GET_ITEM`, `Py_INCREF`, field reads). One `.so` then serves
//!   every CPython from 3.11 to 3.14 (the packaging tests check the imported symbols against the
//!   3.11 stable-ABI list).
//! * **One exception: `ob_type`.** The type pointer is read from the object header on the hot
//!   path, as orjson does. The stable ABI lists `PyObject` with its members (`ob_refcnt`,
//!   `ob_type`), so this read is part of the ABI contract for non-free-threaded builds; a test
//!   (`type_pointer_matches_pyobject_type`) compares it with `PyObject_Type` on every interpreter
//!   the suite runs under.
//! * **The GIL is proven by a token.** Functions that touch objects take `cpython::Python<'py>`
//!   (rust-cpython's zero-sized GIL token) or a [`PyRef<'py>`] that can only be made while one is
//!   held. User code never receives either: handlers run with the GIL released.
//! * **Borrowed references stay valid** because no Python code runs while we convert: we never
//!   call `__str__`/`__repr__` of arbitrary objects, only of `int`, `float` and `decimal.Decimal`,
//!   whose methods are C code that neither releases the GIL nor mutates containers.
//! * **No unwinding across the C boundary.** The trampoline catches every panic.

#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, CStr, CString};
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{addr_of_mut, NonNull};

pub use cpython::Python;
use python3_sys as sys;

/// Opaque CPython object, as the C API sees it.
pub use sys::PyObject as RawObject;

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

/// A borrowed reference, valid for `'py` (while the GIL is held and the owner is alive).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PyRef<'py> {
    ptr: NonNull<RawObject>,
    _gil: PhantomData<Python<'py>>,
}

/// A strong (owned) reference. Dropping it releases the reference; that is only sound with the
/// GIL held, which holds because `PyOwned` is `!Send` and is never alive across
/// [`allow_threads`] (the entry point converts and drops everything before releasing the GIL).
pub struct PyOwned {
    ptr: NonNull<RawObject>,
    _not_send: PhantomData<*mut RawObject>,
}

impl Drop for PyOwned {
    fn drop(&mut self) {
        // SAFETY: we own one reference; see the type's invariant for the GIL.
        unsafe { sys::Py_DecRef(self.ptr.as_ptr()) }
    }
}

impl PyOwned {
    /// Takes ownership of a new reference returned by a C-API call; `NULL` means that call
    /// raised, and the pending exception is fetched into the error.
    ///
    /// # Safety
    /// `ptr` must be a new (owned) reference or NULL with an exception set, GIL held.
    unsafe fn from_new(ptr: *mut RawObject) -> Result<PyOwned, PyErr> {
        match NonNull::new(ptr) {
            Some(ptr) => Ok(PyOwned {
                ptr,
                _not_send: PhantomData,
            }),
            None => Err(PyErr::fetch()),
        }
    }

    /// Like `from_new` for calls that cannot fail except by running out of memory.
    unsafe fn from_new_or_oom(ptr: *mut RawObject) -> PyOwned {
        match NonNull::new(ptr) {
            Some(ptr) => PyOwned {
                ptr,
                _not_send: PhantomData,
            },
            None => out_of_memory(),
        }
    }

    /// A new strong reference to a borrowed object.
    pub fn from_borrowed(obj: PyRef<'_>) -> PyOwned {
        // SAFETY: obj is alive (borrowed for 'py with the GIL held).
        unsafe { sys::Py_IncRef(obj.as_ptr()) };
        PyOwned {
            ptr: obj.ptr,
            _not_send: PhantomData,
        }
    }

    /// Another strong reference to the same object.
    #[inline]
    pub fn clone_ref(&self, _py: Python<'_>) -> PyOwned {
        // SAFETY: GIL held (token); we own a reference so the object is alive.
        unsafe { sys::Py_IncRef(self.ptr.as_ptr()) };
        PyOwned {
            ptr: self.ptr,
            _not_send: PhantomData,
        }
    }

    /// Borrows this object for as long as the GIL token says.
    pub fn borrow<'py>(&'py self, _py: Python<'py>) -> PyRef<'py> {
        PyRef {
            ptr: self.ptr,
            _gil: PhantomData,
        }
    }

    /// Gives the reference away (to C code that steals it).
    pub fn into_raw(self) -> *mut RawObject {
        let ptr = self.ptr.as_ptr();
        std::mem::forget(self);
        ptr
    }
}

fn out_of_memory() -> ! {
    // CPython only returns NULL from these constructors on MemoryError; there is no sensible
    // way to continue (the same policy as Rust's own allocation failure).
    std::process::abort()
}

impl<'py> PyRef<'py> {
    /// # Safety
    /// `ptr` must point to a live object that outlives `'py`, and the GIL must be held.
    pub unsafe fn from_raw(_py: Python<'py>, ptr: *mut RawObject) -> Option<PyRef<'py>> {
        NonNull::new(ptr).map(|ptr| PyRef {
            ptr,
            _gil: PhantomData,
        })
    }

    pub fn as_ptr(self) -> *mut RawObject {
        self.ptr.as_ptr()
    }

    pub fn py(self) -> Python<'py> {
        // SAFETY: a PyRef<'py> only exists while the GIL is held for 'py.
        unsafe { Python::assume_gil_acquired() }
    }

    /// Whether this is the `True` singleton (for objects of kind [`Kind::Bool`]).
    #[inline]
    pub fn is_true(self) -> bool {
        // SAFETY: Py_True is a static object; this is a pointer comparison.
        self.as_ptr() == unsafe { sys::Py_True() }
    }

    /// The object's type, read from the object header (see the module docs for why this one
    /// field read is allowed).
    #[inline(always)]
    fn type_ptr(self) -> *mut sys::PyTypeObject {
        /// The header every object starts with in non-free-threaded CPython 3.x.
        #[repr(C)]
        struct ObjectHead {
            ob_refcnt: isize,
            ob_type: *mut sys::PyTypeObject,
        }
        // SAFETY: every object starts with this header (stable ABI `PyObject` members).
        unsafe { (*(self.ptr.as_ptr() as *const ObjectHead)).ob_type }
    }

    /// Which JSON-ish kind this object is. Exact type checks for the common types come first,
    /// in order of how often they appear in Lambda events; everything else is `cold_kind`.
    #[inline(always)]
    pub fn kind(self) -> Kind {
        let t = self.type_ptr();
        // SAFETY (all addr_of_mut! below): taking the address of an exported static type object.
        unsafe {
            if t == addr_of_mut!(sys::PyUnicode_Type) {
                Kind::Str
            } else if t == addr_of_mut!(sys::PyDict_Type) {
                Kind::Dict
            } else if t == addr_of_mut!(sys::PyLong_Type) {
                Kind::Int
            } else if t == addr_of_mut!(sys::PyList_Type) {
                Kind::List
            } else if t == addr_of_mut!(sys::PyBool_Type) {
                Kind::Bool
            } else if self.as_ptr() == sys::Py_None() {
                Kind::None
            } else if t == addr_of_mut!(sys::PyFloat_Type) {
                Kind::Float
            } else {
                self.cold_kind(t)
            }
        }
    }

    #[inline(never)]
    #[cold]
    fn cold_kind(self, t: *mut sys::PyTypeObject) -> Kind {
        // SAFETY: type objects are alive while their instances are; all calls are functions.
        unsafe {
            if t == addr_of_mut!(sys::PyTuple_Type) {
                return Kind::Tuple;
            }
            if t == addr_of_mut!(sys::PyBytes_Type) {
                return Kind::Bytes;
            }
            if t == addr_of_mut!(sys::PyByteArray_Type) {
                return Kind::ByteArray;
            }
            // Subclasses (IntEnum, StrEnum, OrderedDict, defaultdict, namedtuple...): the
            // fast-subclass flags are part of the stable ABI.
            let flags = sys::PyType_GetFlags(t);
            if flags & sys::Py_TPFLAGS_UNICODE_SUBCLASS != 0 {
                return Kind::Str;
            }
            if flags & sys::Py_TPFLAGS_DICT_SUBCLASS != 0 {
                return Kind::Dict;
            }
            if flags & sys::Py_TPFLAGS_LONG_SUBCLASS != 0 {
                return Kind::Int;
            }
            if flags & sys::Py_TPFLAGS_LIST_SUBCLASS != 0 {
                return Kind::List;
            }
            if flags & sys::Py_TPFLAGS_TUPLE_SUBCLASS != 0 {
                return Kind::Tuple;
            }
            if flags & sys::Py_TPFLAGS_BYTES_SUBCLASS != 0 {
                return Kind::Bytes;
            }
            if sys::PyType_IsSubtype(t, addr_of_mut!(sys::PyFloat_Type)) != 0 {
                return Kind::Float;
            }
            if is_decimal_type(self.py(), t) {
                return Kind::Decimal;
            }
        }
        Kind::Other
    }

    /// `type(obj).__module__ + "." + __qualname__` (or just the qualname for builtins), for
    /// error messages. Runs no Python code beyond attribute lookups on a type object.
    pub fn type_name(self) -> String {
        // SAFETY: PyObject_Type returns a new reference to the (live) type.
        let ty = unsafe { PyOwned::from_new(sys::PyObject_Type(self.as_ptr())) };
        let Ok(ty) = ty else {
            return "<unknown type>".into();
        };
        let ty = ty.borrow(self.py());
        let qualname = ty
            .getattr_string(c"__qualname__")
            .unwrap_or_else(|| "<unknown>".into());
        match ty.getattr_string(c"__module__") {
            Some(module) if module != "builtins" => format!("{module}.{qualname}"),
            _ => qualname,
        }
    }

    /// `getattr(obj, name)` as a new reference; `None` if the attribute is missing (the
    /// AttributeError is cleared: only used on paths where absence is an answer).
    ///
    /// The name is looked up as an interned `str`, made once per name and kept: the context is
    /// read on every invocation, and `PyObject_GetAttrString` would build (and hash) a fresh
    /// `str` for each attribute each time.
    pub fn getattr(self, name: &'static CStr) -> Option<PyOwned> {
        let name = interned(self.py(), name);
        // SAFETY: name is a str; the result is a new reference or NULL.
        unsafe {
            PyOwned::from_new(sys::PyObject_GetAttr(
                self.as_ptr(),
                name.borrow(self.py()).as_ptr(),
            ))
        }
        .ok()
    }

    /// Whether this is `None` (a pointer comparison).
    #[inline]
    pub fn is_none(self) -> bool {
        // SAFETY: Py_None is a static object.
        self.as_ptr() == unsafe { sys::Py_None() }
    }

    /// `getattr(obj, name)` if it is a `str`.
    pub fn getattr_string(self, name: &'static CStr) -> Option<String> {
        let value = self.getattr(name)?;
        let value = value.borrow(self.py());
        match value.kind() {
            Kind::Str => value.as_str().ok().map(str::to_owned),
            _ => None,
        }
    }

    /// `str(obj)`: only called on `int`, `float`, `Decimal` and exception objects. Instances
    /// of `int`/`float` subclasses are written as their base type ([`PyRef::exact_number`]).
    pub fn str(self) -> Result<String, PyErr> {
        let exact = self.exact_number();
        let obj = exact.as_ref().map_or(self, |o| o.borrow(self.py()));
        // SAFETY: PyObject_Str returns a new reference or NULL with an exception set.
        let s = unsafe { PyOwned::from_new(sys::PyObject_Str(obj.as_ptr()))? };
        let s = s.borrow(self.py());
        s.as_str().map(str::to_owned)
    }

    /// `repr(obj)`: only called on `float` (its repr is what `json` writes for float keys),
    /// subclasses written as their base type.
    pub fn repr(self) -> Result<String, PyErr> {
        let exact = self.exact_number();
        let obj = exact.as_ref().map_or(self, |o| o.borrow(self.py()));
        // SAFETY: as for `str`.
        let s = unsafe { PyOwned::from_new(sys::PyObject_Repr(obj.as_ptr()))? };
        let s = s.borrow(self.py());
        s.as_str().map(str::to_owned)
    }

    /// For an instance of an `int` or `float` *subclass*, an exact `int`/`float` of the same
    /// value, made without calling any method of the subclass (`PyNumber_Index` copies an int
    /// subclass's value, since CPython 3.10; `PyFloat_AsDouble` reads a float subclass's);
    /// `None` for exact types and anything else.
    ///
    /// Why: the engine must never run an event object's own Python code. An overridden
    /// `__str__`, `__repr__` or `__le__` could answer anything (a wrong number), raise (an
    /// exception left set across the C API), or empty the containers the engine is walking
    /// with borrowed references (a use after free). Found by the fuzzer's hostile subclasses;
    /// regression tests in python/tests/test_hardening_subclasses.py.
    fn exact_number(self) -> Option<PyOwned> {
        let t = self.type_ptr();
        // SAFETY: type objects are alive while their instances are; all calls are functions
        // that run no code of the subclass.
        unsafe {
            if t == addr_of_mut!(sys::PyLong_Type) || t == addr_of_mut!(sys::PyFloat_Type) {
                return None;
            }
            if sys::PyType_GetFlags(t) & sys::Py_TPFLAGS_LONG_SUBCLASS != 0 {
                return PyOwned::from_new(sys::PyNumber_Index(self.as_ptr())).ok();
            }
            if sys::PyType_IsSubtype(t, addr_of_mut!(sys::PyFloat_Type)) != 0 {
                return Some(new_float(self.py(), self.as_f64()));
            }
        }
        None
    }

    // --- str ----------------------------------------------------------------------------------

    /// The UTF-8 contents of a `str`, borrowed from the object (CPython caches the UTF-8 form
    /// inside the object, so this allocates at most once per string and never for ASCII).
    /// Fails (UnicodeEncodeError) for a str holding a lone surrogate.
    #[inline]
    pub fn as_str(self) -> Result<&'py str, PyErr> {
        let mut len: sys::Py_ssize_t = 0;
        // SAFETY: self is a str (or subclass); the buffer lives as long as the object.
        unsafe {
            let data = sys::PyUnicode_AsUTF8AndSize(self.as_ptr(), &mut len);
            if data.is_null() {
                return Err(PyErr::fetch());
            }
            let bytes = std::slice::from_raw_parts(data as *const u8, len as usize);
            // CPython guarantees the cached form is valid UTF-8.
            Ok(std::str::from_utf8_unchecked(bytes))
        }
    }

    // --- int ----------------------------------------------------------------------------------

    /// The value of an `int` that fits `i64`, or which way it overflows. Raises nothing.
    #[inline]
    pub fn as_i64(self) -> IntValue {
        let mut overflow: c_int = 0;
        // SAFETY: self is an int (or subclass): no __index__ call, no exception on overflow.
        let v = unsafe { sys::PyLong_AsLongLongAndOverflow(self.as_ptr(), &mut overflow) };
        match overflow {
            0 => IntValue::I64(v),
            o if o > 0 => self.as_u64_slow(),
            _ => IntValue::Big,
        }
    }

    #[cold]
    fn as_u64_slow(self) -> IntValue {
        // Compare with u64::MAX first so that no OverflowError is raised and cleared. An int
        // subclass is compared as an exact int: its own `__le__` must not run (exact_number).
        let exact = self.exact_number();
        let this = exact.as_ref().map_or(self, |o| o.borrow(self.py()));
        let max = new_int_u64(self.py(), u64::MAX);
        // SAFETY: both objects are exact ints; Py_LE comparison of ints cannot fail.
        let fits = unsafe {
            sys::PyObject_RichCompareBool(this.as_ptr(), max.borrow(self.py()).as_ptr(), sys::Py_LE)
        };
        if fits == 1 {
            // SAFETY: 2**63 <= self <= u64::MAX: no exception possible.
            IntValue::U64(unsafe { sys::PyLong_AsUnsignedLongLong(this.as_ptr()) })
        } else {
            IntValue::Big
        }
    }

    // --- float --------------------------------------------------------------------------------

    #[inline]
    pub fn as_f64(self) -> f64 {
        // SAFETY: self is a float (or subclass): cannot fail.
        unsafe { sys::PyFloat_AsDouble(self.as_ptr()) }
    }

    // --- containers ---------------------------------------------------------------------------

    pub fn list_len(self) -> usize {
        // SAFETY: self is a list.
        unsafe { sys::PyList_Size(self.as_ptr()) as usize }
    }

    /// Item `i` of a list, borrowed. `None` if the list shrank (it cannot while we hold the GIL
    /// and run no Python code, but a bounds-checked function costs nothing here).
    #[inline]
    pub fn list_item(self, i: usize) -> Option<PyRef<'py>> {
        // SAFETY: PyList_GetItem bounds-checks and returns a borrowed reference or NULL.
        let item = unsafe { sys::PyList_GetItem(self.as_ptr(), i as sys::Py_ssize_t) };
        if item.is_null() {
            // SAFETY: an IndexError was set.
            unsafe { sys::PyErr_Clear() };
            return None;
        }
        // SAFETY: the list keeps the item alive.
        unsafe { PyRef::from_raw(self.py(), item) }
    }

    pub fn tuple_len(self) -> usize {
        // SAFETY: self is a tuple.
        unsafe { sys::PyTuple_Size(self.as_ptr()) as usize }
    }

    #[inline]
    pub fn tuple_item(self, i: usize) -> Option<PyRef<'py>> {
        // SAFETY: as for list_item; tuples are immutable.
        let item = unsafe { sys::PyTuple_GetItem(self.as_ptr(), i as sys::Py_ssize_t) };
        if item.is_null() {
            unsafe { sys::PyErr_Clear() };
            return None;
        }
        unsafe { PyRef::from_raw(self.py(), item) }
    }

    pub fn dict_len(self) -> usize {
        // SAFETY: self is a dict.
        unsafe { sys::PyDict_Size(self.as_ptr()) as usize }
    }

    /// Iterates a dict's items in insertion order (`PyDict_Next`), borrowed.
    pub fn dict_items(self) -> DictItems<'py> {
        DictItems { dict: self, pos: 0 }
    }

    /// `dict[key]` for a str key, borrowed; `None` when absent.
    pub fn dict_get(self, key: &CStr) -> Option<PyRef<'py>> {
        // SAFETY: PyDict_GetItemString returns a borrowed reference or NULL (no exception for
        // a missing key).
        let item = unsafe { sys::PyDict_GetItemString(self.as_ptr(), key.as_ptr()) };
        unsafe { PyRef::from_raw(self.py(), item) }
    }

    // --- bytes --------------------------------------------------------------------------------

    /// The contents of a `bytes` object, borrowed from the (immutable) object.
    pub fn as_bytes(self) -> &'py [u8] {
        let mut data: *mut c_char = std::ptr::null_mut();
        let mut len: sys::Py_ssize_t = 0;
        // SAFETY: self is bytes (or subclass): cannot fail.
        unsafe {
            sys::PyBytes_AsStringAndSize(self.as_ptr(), &mut data, &mut len);
            std::slice::from_raw_parts(data as *const u8, len as usize)
        }
    }

    /// A copy of a `bytearray`'s contents (copied: a bytearray can be resized by its owner).
    pub fn bytearray_to_vec(self) -> Vec<u8> {
        // SAFETY: self is a bytearray; the buffer is valid for `size` bytes right now.
        unsafe {
            let len = sys::PyByteArray_Size(self.as_ptr()) as usize;
            let data = sys::PyByteArray_AsString(self.as_ptr()) as *const u8;
            if len == 0 {
                return Vec::new();
            }
            std::slice::from_raw_parts(data, len).to_vec()
        }
    }
}

/// Checks, on the running interpreter, the one layout assumption we make: that the type
/// pointer read from an object's header is its type (as `PyObject_Type` says). Run at import,
/// so an interpreter with another object layout (a free-threaded build, say) gets a clear
/// ImportError instead of a crash.
pub fn check_object_layout(py: Python<'_>) -> Result<(), String> {
    let samples = [
        none(py),
        new_str(py, "pylambda"),
        new_dict(py),
        new_int_i64(py, 7),
        new_bool(py, true),
    ];
    for sample in &samples {
        let obj = sample.borrow(py);
        // SAFETY: PyObject_Type returns a new reference to the object's type.
        let ty = unsafe { PyOwned::from_new(sys::PyObject_Type(obj.as_ptr())) }
            .map_err(|e| e.to_string())?;
        if ty.ptr.as_ptr() as *mut sys::PyTypeObject != obj.type_ptr() {
            return Err(format!(
                "pylambda cannot run on this Python: the object header of {} is not laid out as \
                 in CPython's stable ABI (is this a free-threaded build?)",
                obj.type_name()
            ));
        }
    }
    Ok(())
}

/// The result of reading an `int` without raising.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntValue {
    I64(i64),
    U64(u64),
    /// Outside `i64::MIN..=u64::MAX`: read it as decimal text with [`PyRef::str`].
    Big,
}

/// What a Python object is, for conversion purposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Bool,
    None,
    Float,
    List,
    Dict,
    Tuple,
    Bytes,
    ByteArray,
    Decimal,
    Other,
}

/// `PyDict_Next` as an iterator of borrowed `(key, value)` pairs.
pub struct DictItems<'py> {
    dict: PyRef<'py>,
    pos: sys::Py_ssize_t,
}

impl<'py> Iterator for DictItems<'py> {
    type Item = (PyRef<'py>, PyRef<'py>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        // SAFETY: dict is a dict; PyDict_Next yields borrowed references and never raises.
        let more =
            unsafe { sys::PyDict_Next(self.dict.as_ptr(), &mut self.pos, &mut key, &mut value) };
        if more == 0 {
            return None;
        }
        let py = self.dict.py();
        // SAFETY: non-NULL borrowed references owned by the dict.
        unsafe { Some((PyRef::from_raw(py, key)?, PyRef::from_raw(py, value)?)) }
    }
}

// ---------------------------------------------------------------------------------------------
// Constructors (Rust value -> new Python object)
// ---------------------------------------------------------------------------------------------

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

/// `decimal.Decimal(text)`, for numbers that a float would round.
pub fn new_decimal(py: Python<'_>, text: &str) -> Result<PyOwned, PyErr> {
    static DECIMAL: GilCell<Option<PyOwned>> = GilCell::new(None);
    let cls = cached_class(py, &DECIMAL, c"decimal", c"Decimal")?;
    construct_from_str(py, &cls, text)
}

/// `simplejson.raw_json.RawJSON(text)`: JSON text that the runtime's encoder (simplejson)
/// writes as it is. Fails (ImportError) where simplejson is not installed.
pub fn new_raw_json(py: Python<'_>, text: &str) -> Result<PyOwned, PyErr> {
    static RAW_JSON: GilCell<Option<PyOwned>> = GilCell::new(None);
    let cls = cached_class(py, &RAW_JSON, c"simplejson.raw_json", c"RawJSON")?;
    construct_from_str(py, &cls, text)
}

/// `module.name`, imported on first use and kept for the life of the process.
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

/// `cls(text)` for a class implemented in C (`Decimal`) or one that only stores its argument
/// (`RawJSON`).
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

fn import(name: &CStr) -> Result<PyOwned, PyErr> {
    // SAFETY: NUL-terminated module name.
    unsafe { PyOwned::from_new(sys::PyImport_ImportModule(name.as_ptr())) }
}

/// Interned `str` objects for attribute names, keyed by the address of their `&'static CStr`.
static INTERNED: GilCell<Vec<(usize, PyOwned)>> = GilCell::new(Vec::new());

/// The interned `str` for `name`, made on first use.
fn interned(py: Python<'_>, name: &'static CStr) -> PyOwned {
    let key = name.as_ptr() as usize;
    let found = INTERNED.with(py, |names| {
        names
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s.clone_ref(py))
    });
    if let Some(found) = found {
        return found;
    }
    // SAFETY: NUL-terminated name; returns a new reference (or NULL on MemoryError).
    let s = unsafe { PyOwned::from_new_or_oom(sys::PyUnicode_InternFromString(name.as_ptr())) };
    let stored = s.clone_ref(py);
    INTERNED.with(py, |names| names.push((key, stored)));
    s
}

/// Whether `t` is `decimal.Decimal`. Never imports `decimal`: if nobody imported it, no object
/// can be a Decimal.
fn is_decimal_type(py: Python<'_>, t: *mut sys::PyTypeObject) -> bool {
    // SAFETY: sys.modules is a dict (borrowed from the sys module); lookups do not raise.
    unsafe {
        let Some(modules) = PyRef::from_raw(py, sys::PySys_GetObject(c"modules".as_ptr())) else {
            return false;
        };
        if modules.kind() != Kind::Dict {
            return false;
        }
        let Some(decimal) = modules.dict_get(c"decimal") else {
            return false;
        };
        let Some(cls) = decimal.getattr(c"Decimal") else {
            sys::PyErr_Clear();
            return false;
        };
        cls.ptr.as_ptr() as *mut sys::PyTypeObject == t
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A Python exception taken out of the interpreter (so it is no longer "pending"), kept as its
/// type name and message: everything we report about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyErr {
    pub type_name: String,
    pub message: String,
}

impl PyErr {
    /// Takes (and clears) the pending exception.
    pub fn fetch() -> PyErr {
        // SAFETY: the GIL is held by every caller (all callers hold a token or a PyRef);
        // PyErr_Fetch/NormalizeException give us new references that we release.
        unsafe {
            let py = Python::assume_gil_acquired();
            let (mut ptype, mut pvalue, mut ptb) = (
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            sys::PyErr_Fetch(&mut ptype, &mut pvalue, &mut ptb);
            if ptype.is_null() {
                return PyErr::msg("unknown error (no exception was set)");
            }
            sys::PyErr_NormalizeException(&mut ptype, &mut pvalue, &mut ptb);
            let ptype = PyOwned::from_new(ptype).ok();
            let pvalue = PyOwned::from_new(pvalue).ok();
            let _ptb = PyOwned::from_new(ptb).ok();
            let type_name = ptype
                .as_ref()
                .and_then(|t| t.borrow(py).getattr_string(c"__name__"))
                .unwrap_or_else(|| "Exception".into());
            let message = match &pvalue {
                Some(v) => v
                    .borrow(py)
                    .str()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                None => String::new(),
            };
            PyErr { type_name, message }
        }
    }

    fn msg(message: &str) -> PyErr {
        PyErr {
            type_name: "SystemError".into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for PyErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.type_name, self.message)
    }
}

/// Which built-in exception an exception class derives from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionBase {
    Exception,
    TypeError,
    ValueError,
    ImportError,
}

/// Creates a new exception class whose `__name__` (and `__qualname__`) is exactly `name` —
/// which may contain characters a Python identifier cannot (`Runtime.X`, `alloc::...`) because
/// the runtime reports `type(exc).__name__` as the Lambda `errorType`.
pub fn new_exception_class(
    py: Python<'_>,
    module: &str,
    name: &str,
    base: ExceptionBase,
) -> Result<PyOwned, PyErr> {
    // SAFETY: the built-in exception objects are static; PyErr_NewException wants
    // "module.Name" (it splits at the last dot), so we pass a placeholder and rename.
    let base = builtin_exception(py, base);
    unsafe {
        let base_ptr = base.ptr.as_ptr();
        let dotted = CString::new(format!("{}.PylambdaError", module.replace('\0', "")))
            .map_err(|_| PyErr::msg("module name contains NUL"))?;
        let cls = PyOwned::from_new(sys::PyErr_NewException(
            dotted.as_ptr() as *mut c_char,
            base_ptr,
            std::ptr::null_mut(),
        ))?;
        let name_obj = new_str(py, name);
        for attr in [c"__name__", c"__qualname__"] {
            if sys::PyObject_SetAttrString(cls.ptr.as_ptr(), attr.as_ptr(), name_obj.ptr.as_ptr())
                != 0
            {
                return Err(PyErr::fetch());
            }
        }
        Ok(cls)
    }
}

/// A new reference to one of the built-in exception classes.
pub fn builtin_exception(py: Python<'_>, base: ExceptionBase) -> PyOwned {
    // SAFETY: the PyExc_* statics point at live built-in classes.
    let ptr = unsafe {
        match base {
            ExceptionBase::Exception => sys::PyExc_Exception,
            ExceptionBase::TypeError => sys::PyExc_TypeError,
            ExceptionBase::ValueError => sys::PyExc_ValueError,
            ExceptionBase::ImportError => sys::PyExc_ImportError,
        }
    };
    PyOwned::from_borrowed(unsafe { PyRef::from_raw(py, ptr) }.expect("built-in exception"))
}

/// Sets the pending exception: an instance of `cls` with `message` as its only argument (so
/// `str(exc) == message`, NUL bytes included).
pub fn raise(py: Python<'_>, cls: &PyOwned, message: &str) {
    let msg = new_str(py, message);
    // SAFETY: cls is an exception class; PyErr_SetObject takes its own references.
    unsafe { sys::PyErr_SetObject(cls.ptr.as_ptr(), msg.ptr.as_ptr()) }
}

/// Sets a built-in `TypeError`, for misuse of the calling convention.
pub fn raise_type_error(py: Python<'_>, message: &str) {
    let msg = new_str(py, message);
    // SAFETY: PyExc_TypeError is a static exception class.
    unsafe { sys::PyErr_SetObject(sys::PyExc_TypeError, msg.ptr.as_ptr()) }
}

// ---------------------------------------------------------------------------------------------
// The GIL
// ---------------------------------------------------------------------------------------------

/// Runs `f` with the GIL released, so Python threads (layers, SDKs, the runtime's own) keep
/// running during long Rust work. The GIL is taken back even if `f` panics.
///
/// `F: Send` is not required (the closure runs on this very thread), but nothing that touches
/// Python can be used inside: `Python` and `PyRef` tokens are not passed in, and [`PyOwned`]
/// must not be dropped inside (the entry point never moves one in).
pub fn allow_threads<T>(_py: Python<'_>, f: impl FnOnce() -> T) -> T {
    struct Restore(*mut sys::PyThreadState);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: the state saved below, on this same thread.
            unsafe { sys::PyEval_RestoreThread(self.0) }
        }
    }
    // SAFETY: the token proves we hold the GIL on this thread.
    let _restore = Restore(unsafe { sys::PyEval_SaveThread() });
    f()
}

#[allow(dead_code)] // used by the logging bridge
/// Runs `f` with the GIL held, from any thread (e.g. a log record from a Tokio worker).
pub fn with_gil<T>(f: impl FnOnce(Python<'_>) -> T) -> T {
    struct Release(sys::PyGILState_STATE);
    impl Drop for Release {
        fn drop(&mut self) {
            // SAFETY: pairs with the Ensure below, on the same thread.
            unsafe { sys::PyGILState_Release(self.0) }
        }
    }
    // SAFETY: PyGILState_Ensure may be called from any thread once the interpreter runs.
    let _release = Release(unsafe { sys::PyGILState_Ensure() });
    f(unsafe { Python::assume_gil_acquired() })
}

/// `(major, minor)` of the running interpreter, from `Py_GetVersion()` ("3.13.0 (main, ...").
pub fn interpreter_version() -> (u32, u32) {
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(sys::Py_GetVersion()) }.to_string_lossy();
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty());
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(3);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor)
}

// ---------------------------------------------------------------------------------------------
// Modules and functions
// ---------------------------------------------------------------------------------------------

/// The arguments of one call through the `METH_FASTCALL | METH_KEYWORDS` convention.
pub struct CallArgs<'py> {
    positional: &'py [*mut RawObject],
    keywords: &'py [*mut RawObject],
    kwnames: Option<PyRef<'py>>,
}

impl<'py> CallArgs<'py> {
    /// Positional argument `i`.
    pub fn positional(&self, i: usize) -> Option<PyRef<'py>> {
        let py = unsafe { Python::assume_gil_acquired() };
        // SAFETY: the caller keeps its arguments alive for the duration of the call.
        self.positional
            .get(i)
            .and_then(|&p| unsafe { PyRef::from_raw(py, p) })
    }

    pub fn positional_len(&self) -> usize {
        self.positional.len()
    }

    /// Keyword arguments as `(name, value)`.
    pub fn keywords(&self) -> impl Iterator<Item = (&'py str, PyRef<'py>)> + '_ {
        let py = unsafe { Python::assume_gil_acquired() };
        (0..self.keywords.len()).filter_map(move |i| {
            let name = self.kwnames?.tuple_item(i)?.as_str().ok()?;
            // SAFETY: as for positional.
            let value = unsafe { PyRef::from_raw(py, self.keywords[i])? };
            Some((name, value))
        })
    }
}

/// What a module function does when called: converts, runs, converts back. `Err` carries the
/// exception to raise, built by the caller (the trampoline only raises it).
pub type Callable =
    dyn for<'py> Fn(Python<'py>, &CallArgs<'py>) -> Result<PyOwned, Raise> + Send + Sync;

/// An exception to raise: a class and a message.
pub struct Raise {
    pub class: PyOwned,
    pub message: String,
}

/// What to do when a [`Callable`] panicked (outside of the user's handler, which the entry
/// point guards itself): returns the exception to raise.
pub type PanicHandler = fn(Python<'_>, Box<dyn std::any::Any + Send>) -> Raise;

/// One function of the module.
pub struct Function {
    pub name: &'static CStr,
    pub doc: &'static CStr,
    pub callable: Box<Callable>,
}

/// The `PyModuleDef` of the stable ABI, declared here (not taken from python3-sys, whose
/// layout follows the configuring interpreter's debug flags).
#[repr(C)]
struct ModuleDef {
    // PyModuleDef_Base
    ob_refcnt: isize,
    ob_type: *mut sys::PyTypeObject,
    m_init: Option<unsafe extern "C" fn() -> *mut RawObject>,
    m_index: isize,
    m_copy: *mut RawObject,
    // PyModuleDef
    m_name: *const c_char,
    m_doc: *const c_char,
    m_size: isize,
    m_methods: *mut MethodDef,
    m_slots: *mut std::ffi::c_void,
    m_traverse: *mut std::ffi::c_void,
    m_clear: *mut std::ffi::c_void,
    m_free: *mut std::ffi::c_void,
}

/// `PyMethodDef`, stable ABI.
#[repr(C)]
struct MethodDef {
    ml_name: *const c_char,
    ml_meth: *const std::ffi::c_void,
    ml_flags: c_int,
    ml_doc: *const c_char,
}

const METH_FASTCALL: c_int = 0x0080;
const METH_KEYWORDS: c_int = 0x0002;

/// What every function of the module points at: the capsule in `self_` holds its [`Callable`].
struct Bound {
    callable: Box<Callable>,
    on_panic: PanicHandler,
}

/// Creates the module object `name` with `functions`. Called once, from `PyInit_<name>`.
///
/// The definitions are leaked on purpose: CPython keeps pointers to them for the life of the
/// process (a module's method table must be static).
pub fn create_module(
    py: Python<'_>,
    name: &'static CStr,
    doc: &'static CStr,
    functions: Vec<Function>,
    on_panic: PanicHandler,
) -> Result<PyOwned, PyErr> {
    let def = Box::leak(Box::new(ModuleDef {
        ob_refcnt: 1,
        ob_type: std::ptr::null_mut(),
        m_init: None,
        m_index: 0,
        m_copy: std::ptr::null_mut(),
        m_name: name.as_ptr(),
        m_doc: doc.as_ptr(),
        m_size: -1,
        m_methods: std::ptr::null_mut(),
        m_slots: std::ptr::null_mut(),
        m_traverse: std::ptr::null_mut(),
        m_clear: std::ptr::null_mut(),
        m_free: std::ptr::null_mut(),
    }));
    // SAFETY: `def` is a valid, 'static module definition; 1013 is PYTHON_API_VERSION, the
    // same on every CPython 3.x.
    let module = unsafe {
        PyOwned::from_new(sys::PyModule_Create2(
            def as *mut ModuleDef as *mut sys::PyModuleDef,
            1013,
        ))?
    };
    let module_name = new_str(py, name.to_str().unwrap_or("pylambda"));
    // CPython 3.6 has METH_FASTCALL with keyword names but without the METH_KEYWORDS flag;
    // the C signature is the same.
    let flags = if interpreter_version() >= (3, 7) {
        METH_FASTCALL | METH_KEYWORDS
    } else {
        METH_FASTCALL
    };
    for function in functions {
        let method = Box::leak(Box::new(MethodDef {
            ml_name: function.name.as_ptr(),
            ml_meth: trampoline as *const std::ffi::c_void,
            ml_flags: flags,
            ml_doc: function.doc.as_ptr(),
        }));
        let bound: &'static Bound = Box::leak(Box::new(Bound {
            callable: function.callable,
            on_panic,
        }));
        // SAFETY: a capsule around a 'static pointer, no destructor; PyCFunction_NewEx keeps
        // `method` (static) and takes its own references to capsule and module name.
        unsafe {
            let capsule = PyOwned::from_new(sys::PyCapsule_New(
                bound as *const Bound as *mut std::ffi::c_void,
                std::ptr::null(),
                None,
            ))?;
            let func = PyOwned::from_new(sys::PyCFunction_NewEx(
                method as *mut MethodDef as *mut sys::PyMethodDef,
                capsule.ptr.as_ptr(),
                module_name.ptr.as_ptr(),
            ))?;
            if sys::PyObject_SetAttrString(
                module.ptr.as_ptr(),
                function.name.as_ptr(),
                func.ptr.as_ptr(),
            ) != 0
            {
                return Err(PyErr::fetch());
            }
        }
    }
    Ok(module)
}

/// Sets an attribute of the module (e.g. the exception classes users may catch).
pub fn set_attr(module: &PyOwned, name: &CStr, value: &PyOwned) -> Result<(), PyErr> {
    // SAFETY: module is a module object; SetAttr takes its own reference.
    if unsafe {
        sys::PyObject_SetAttrString(module.ptr.as_ptr(), name.as_ptr(), value.ptr.as_ptr())
    } == 0
    {
        Ok(())
    } else {
        Err(PyErr::fetch())
    }
}

/// The C entry point of every exported function (`METH_FASTCALL | METH_KEYWORDS` signature).
///
/// # Safety
/// Called by CPython with the GIL held: `slf` is our capsule, `args` holds `nargs` positional
/// then `len(kwnames)` keyword values, all alive for the call.
unsafe extern "C" fn trampoline(
    slf: *mut RawObject,
    args: *const *mut RawObject,
    nargsf: sys::Py_ssize_t,
    kwnames: *mut RawObject,
) -> *mut RawObject {
    let py = Python::assume_gil_acquired();
    let bound = sys::PyCapsule_GetPointer(slf, std::ptr::null()) as *const Bound;
    if bound.is_null() {
        return std::ptr::null_mut(); // exception set by PyCapsule_GetPointer
    }
    let bound = &*bound;
    // Vectorcall may set the PY_VECTORCALL_ARGUMENTS_OFFSET bit in nargs.
    let nargs = (nargsf as usize) & !(1usize << (usize::BITS - 1));
    let kwnames = PyRef::from_raw(py, kwnames);
    let nkw = kwnames.map_or(0, |k| k.tuple_len());
    let all: &[*mut RawObject] = if args.is_null() {
        &[]
    } else {
        std::slice::from_raw_parts(args, nargs + nkw)
    };
    let call = CallArgs {
        positional: &all[..nargs],
        keywords: &all[nargs..],
        kwnames,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| (bound.callable)(py, &call)));
    let raise = match outcome {
        Ok(Ok(result)) => return result.into_raw(),
        Ok(Err(raise)) => raise,
        Err(payload) => {
            match catch_unwind(AssertUnwindSafe(|| (bound.on_panic)(py, payload))) {
                Ok(raise) => raise,
                // A panic while describing a panic: give up on details, never unwind into C.
                Err(_) => {
                    raise_type_error(py, "pylambda: panic while reporting a panic");
                    return std::ptr::null_mut();
                }
            }
        }
    };
    raise_now(py, raise);
    std::ptr::null_mut()
}

/// Sets `raise` as the pending exception.
pub fn raise_now(py: Python<'_>, raise: Raise) {
    self::raise(py, &raise.class, &raise.message);
}

/// Runs a module initializer body, catching panics, and converts its outcome into what
/// `PyInit_*` must return: the module, or NULL with an exception set.
pub fn module_init_result(
    py: Python<'_>,
    body: impl FnOnce(Python<'_>) -> Result<PyOwned, Raise>,
    on_panic: PanicHandler,
) -> *mut RawObject {
    let outcome = catch_unwind(AssertUnwindSafe(|| body(py)));
    let raise = match outcome {
        Ok(Ok(module)) => return module.into_raw(),
        Ok(Err(raise)) => raise,
        Err(payload) => match catch_unwind(AssertUnwindSafe(|| on_panic(py, payload))) {
            Ok(raise) => raise,
            Err(_) => {
                raise_type_error(py, "pylambda: panic while reporting a panic");
                return std::ptr::null_mut();
            }
        },
    };
    raise_now(py, raise);
    std::ptr::null_mut()
}

/// Process-wide state that holds Python objects (caches of `str` keys, exception classes),
/// guarded by the GIL instead of a lock: every access needs a [`Python`] token.
///
/// Closures passed to [`GilCell::with`] must not run Python code (no allocation of
/// containers, no calls), so that nothing can re-enter while the `&mut` borrow is alive.
pub struct GilCell<T>(std::cell::UnsafeCell<T>);

// SAFETY: all access goes through `with`, which requires the GIL token; the GIL serializes
// threads. (pylambda modules do not declare free-threading support, so a free-threaded
// CPython re-enables the GIL when it imports them.)
unsafe impl<T> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    pub const fn new(value: T) -> GilCell<T> {
        GilCell(std::cell::UnsafeCell::new(value))
    }

    pub fn with<R>(&self, _py: Python<'_>, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: the GIL is held (token) and `f` does not re-enter (documented contract).
        f(unsafe { &mut *self.0.get() })
    }
}

/// The GIL token inside `PyInit_*`, which CPython calls with the GIL held.
///
/// # Safety
/// Only call from a function CPython calls with the GIL held.
pub unsafe fn assume_gil<'py>() -> Python<'py> {
    Python::assume_gil_acquired()
}

// =============================================================================================
// Ecosystem: calls for the logging bridge (`crate::logging`) and Python-callable Rust
// functions (`crate::interop`). Appended as one section; every call below is a function of
// CPython 3.11's stable ABI (checked against python/pylambda/data/stable_abi_3.11.txt).
// =============================================================================================

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
