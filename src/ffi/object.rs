//! References to Python objects (borrowed [`PyRef`], owned [`PyOwned`]) and reading them:
//! what kind an object is, and its value.

use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;
use std::ptr::{addr_of_mut, NonNull};

use super::*;

/// A borrowed reference, valid for `'py` (while the GIL is held and the owner is alive).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PyRef<'py> {
    ptr: NonNull<RawObject>,
    _gil: PhantomData<Python<'py>>,
}

/// A strong (owned) reference. Dropping it releases the reference; that is only sound with the
/// GIL held, which holds because `PyOwned` is `!Send` and is never moved into the closure that
/// [`allow_threads`] runs without the GIL: the references a call keeps across it (the event's
/// strings, `convert::EventStrings`) stay outside it, untouched until the GIL is back.
pub struct PyOwned {
    pub(super) ptr: NonNull<RawObject>,
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
    pub(super) unsafe fn from_new(ptr: *mut RawObject) -> Result<PyOwned, PyErr> {
        match NonNull::new(ptr) {
            Some(ptr) => Ok(PyOwned {
                ptr,
                _not_send: PhantomData,
            }),
            None => Err(PyErr::fetch()),
        }
    }

    /// Like `from_new` for calls that cannot fail except by running out of memory.
    pub(super) unsafe fn from_new_or_oom(ptr: *mut RawObject) -> PyOwned {
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

pub(super) fn out_of_memory() -> ! {
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
    /// error messages. Runs no Python code: see [`type_attribute`].
    pub fn type_name(self) -> String {
        // SAFETY: PyObject_Type returns a new reference to the (live) type.
        let ty = unsafe { PyOwned::from_new(sys::PyObject_Type(self.as_ptr())) };
        let Ok(ty) = ty else {
            return "<unknown type>".into();
        };
        let ty = ty.borrow(self.py());
        let qualname = type_attribute(ty, c"__qualname__").unwrap_or_else(|| "<unknown>".into());
        match type_attribute(ty, c"__module__") {
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

    /// Whether this is exactly a `str` (not a subclass): a pointer comparison.
    #[inline]
    pub fn is_exact_str(self) -> bool {
        // The address of an exported static type object.
        self.type_ptr() == addr_of_mut!(sys::PyUnicode_Type)
    }

    /// Whether this is a built-in function (exactly `builtin_function_or_method`): one
    /// implemented in C, which runs no Python code when called.
    pub fn is_builtin_function(self) -> bool {
        // The address of an exported static type object.
        self.type_ptr() == addr_of_mut!(sys::PyCFunction_Type)
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
        self.contained(unsafe { sys::PyList_GetItem(self.as_ptr(), i as sys::Py_ssize_t) })
    }

    /// An item a bounds-checked `*_GetItem` call on this container returned: borrowed (the
    /// container keeps it alive), or `None` for NULL, whose IndexError is cleared.
    #[inline]
    fn contained(self, item: *mut RawObject) -> Option<PyRef<'py>> {
        if item.is_null() {
            // SAFETY: the GetItem call set an IndexError.
            unsafe { sys::PyErr_Clear() };
            return None;
        }
        // SAFETY: a non-NULL borrowed reference owned by the container.
        unsafe { PyRef::from_raw(self.py(), item) }
    }

    pub fn tuple_len(self) -> usize {
        // SAFETY: self is a tuple.
        unsafe { sys::PyTuple_Size(self.as_ptr()) as usize }
    }

    #[inline]
    pub fn tuple_item(self, i: usize) -> Option<PyRef<'py>> {
        // SAFETY: as for list_item; tuples are immutable.
        self.contained(unsafe { sys::PyTuple_GetItem(self.as_ptr(), i as sys::Py_ssize_t) })
    }

    pub fn dict_len(self) -> usize {
        // SAFETY: self is a dict.
        unsafe { sys::PyDict_Size(self.as_ptr()) as usize }
    }

    /// Iterates a dict's items, borrowed, in the order `json.dumps` writes them: the dict's
    /// own (insertion) order, read with `PyDict_Next`; for an exact `collections.OrderedDict`
    /// its linked order, which `move_to_end()` makes differ from its storage. (Subclasses of
    /// `OrderedDict` may override `items()`, and the engine runs no code of the event's own, so
    /// they are read in storage order.)
    pub fn dict_items(self) -> DictItems<'py> {
        let t = self.type_ptr();
        if t != addr_of_mut!(sys::PyDict_Type)
            && is_module_type(self.py(), t, c"collections", c"OrderedDict")
            && self.dict_keys_hash_in_c()
        {
            // SAFETY: an exact OrderedDict, whose items() is C code and looks each key up
            // again, which hashes and compares keys: C code too for the built-in key types
            // just checked. Returns a new list of new (key, value) tuples, or NULL with an
            // exception (fetched and dropped: fall back to storage order).
            if let Ok(items) = unsafe { PyOwned::from_new(sys::PyMapping_Items(self.as_ptr())) } {
                return DictItems::Linked {
                    py: self.py(),
                    items,
                    pos: 0,
                };
            }
        }
        DictItems::Storage { dict: self, pos: 0 }
    }

    /// Whether every key of this dict is an exact `str`, `int`, `float`, `bool` or `None`:
    /// types whose hashing and comparison run no Python code.
    fn dict_keys_hash_in_c(self) -> bool {
        let builtin = |key: PyRef<'_>| {
            let t = key.type_ptr();
            t == addr_of_mut!(sys::PyUnicode_Type)
                || t == addr_of_mut!(sys::PyLong_Type)
                || t == addr_of_mut!(sys::PyFloat_Type)
                || t == addr_of_mut!(sys::PyBool_Type)
                || key.is_none()
        };
        DictItems::Storage { dict: self, pos: 0 }.all(|(key, _)| builtin(key))
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

/// A dict's `(key, value)` pairs as borrowed references (see [`PyRef::dict_items`]).
pub enum DictItems<'py> {
    /// `PyDict_Next` over the dict's storage.
    Storage {
        dict: PyRef<'py>,
        pos: sys::Py_ssize_t,
    },
    /// The list of `(key, value)` tuples an `OrderedDict`'s `items()` made.
    Linked {
        py: Python<'py>,
        items: PyOwned,
        pos: usize,
    },
}

impl DictItems<'_> {
    /// Whether the items come from the dict's storage (`PyDict_Next`): its insertion order,
    /// the same every time for the same keys.
    pub fn in_storage_order(&self) -> bool {
        matches!(self, DictItems::Storage { .. })
    }
}

impl<'py> Iterator for DictItems<'py> {
    type Item = (PyRef<'py>, PyRef<'py>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            DictItems::Storage { dict, pos } => {
                let mut key = std::ptr::null_mut();
                let mut value = std::ptr::null_mut();
                // SAFETY: dict is a dict; PyDict_Next yields borrowed references and never
                // raises.
                let more = unsafe { sys::PyDict_Next(dict.as_ptr(), pos, &mut key, &mut value) };
                if more == 0 {
                    return None;
                }
                let py = dict.py();
                // SAFETY: non-NULL borrowed references owned by the dict.
                unsafe { Some((PyRef::from_raw(py, key)?, PyRef::from_raw(py, value)?)) }
            }
            DictItems::Linked { py, items, pos } => {
                // SAFETY: the list (owned by this iterator) is only used within this call; the
                // keys and values returned are the OrderedDict's own objects, which the event
                // (alive for the whole conversion) holds as well as this list: the same
                // lifetime as the borrowed references of the `Storage` case.
                let list = unsafe { PyRef::from_raw(*py, items.ptr.as_ptr())? };
                let pair = list.list_item(*pos)?;
                *pos += 1;
                Some((pair.tuple_item(0)?, pair.tuple_item(1)?))
            }
        }
    }
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

/// `type.__dict__[name].__get__(ty)` if it is a `str`: the attribute as `type` itself
/// defines it, read by `type`'s C getter (which reads the type's own name fields or its
/// `__dict__`).
///
/// Not `getattr(ty, name)`: that goes through the type's metaclass, whose `__getattribute__`
/// or own `__qualname__` may be Python code, and such code runs while the engine holds borrowed
/// references into the event it could change (test_hardening_subclasses.py). Reaching the
/// descriptor is safe: `type`'s metaclass is `type`, and a mappingproxy lookup with a `str` key
/// is C. Only error messages call this, so nothing is cached.
fn type_attribute(ty: PyRef<'_>, name: &'static CStr) -> Option<String> {
    let py = ty.py();
    // SAFETY: PyType_Type is a static object that lives as long as the interpreter.
    let type_type = unsafe { PyRef::from_raw(py, addr_of_mut!(sys::PyType_Type).cast()) }?;
    let namespace = type_type.getattr(c"__dict__")?;
    let key = interned(py, name);
    // SAFETY: both objects are alive; the result is a new reference, or NULL with an exception
    // set, which `from_new` takes (and so clears).
    let descriptor = unsafe {
        PyOwned::from_new(sys::PyObject_GetItem(
            namespace.borrow(py).as_ptr(),
            key.borrow(py).as_ptr(),
        ))
    }
    .ok()?;
    let get = descriptor.borrow(py).getattr(c"__get__")?;
    let value = call(get.borrow(py), &[ty]).ok()?;
    let value = value.borrow(py);
    match value.kind() {
        Kind::Str => value.as_str().ok().map(str::to_owned),
        _ => None,
    }
}

/// Whether `t` is `decimal.Decimal`. Never imports `decimal`: if nobody imported it, no object
/// can be a Decimal.
fn is_decimal_type(py: Python<'_>, t: *mut sys::PyTypeObject) -> bool {
    is_module_type(py, t, c"decimal", c"Decimal")
}

/// Whether `t` is the class `module.name`, looked up in `sys.modules` (never importing).
fn is_module_type(
    py: Python<'_>,
    t: *mut sys::PyTypeObject,
    module: &CStr,
    name: &'static CStr,
) -> bool {
    // SAFETY: sys.modules is a dict (borrowed from the sys module); lookups do not raise.
    unsafe {
        let Some(modules) = PyRef::from_raw(py, sys::PySys_GetObject(c"modules".as_ptr())) else {
            return false;
        };
        if modules.kind() != Kind::Dict {
            return false;
        }
        let Some(module) = modules.dict_get(module) else {
            return false;
        };
        let Some(cls) = module.getattr(name) else {
            sys::PyErr_Clear();
            return false;
        };
        cls.ptr.as_ptr() as *mut sys::PyTypeObject == t
    }
}
