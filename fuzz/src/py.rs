//! The embedded interpreter and the little of the C API the harness needs, with owned
//! references that release themselves.

#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::sync::Once;

use pylambda::__private::testing;
use python3_sys as ffi;

/// Python code the generator calls for objects that are easier made in Python: subclasses,
/// `Decimal`, strings holding lone surrogates, and the *hostile* subclasses whose overridable
/// methods (or, for `HostileOpaque`, whose metaclass's attribute reads) count their calls and
/// empty the event being converted. The engine must never call them (`hooks[0]` stays 0): code
/// run in the middle of a conversion could free objects that the engine holds borrowed
/// references to.
const HELPERS: &str = r#"
import collections, decimal, enum, json

hooks = [0]
roots = []

def _mutate():
    hooks[0] += 1
    for root in roots:
        if isinstance(root, (dict, list)):
            root.clear()

class IntSub(int): pass
class StrSub(str): pass
class FloatSub(float): pass
class ListSub(list): pass
class DictSub(dict): pass
class TupleSub(tuple): pass
class BytesSub(bytes): pass

class Color(enum.IntEnum):
    RED = 1
    BIG = 2**70

class HostileInt(int):
    def __str__(self): _mutate(); return "7"
    def __repr__(self): _mutate(); return "7"
    def __format__(self, spec): _mutate(); return "7"
    def __index__(self): _mutate(); return 7
    def __int__(self): _mutate(); return 7
    def __le__(self, other): _mutate(); raise RuntimeError("hostile __le__")
    def __lt__(self, other): _mutate(); raise RuntimeError("hostile __lt__")
    def __ge__(self, other): _mutate(); raise RuntimeError("hostile __ge__")
    def __gt__(self, other): _mutate(); raise RuntimeError("hostile __gt__")
    __hash__ = int.__hash__

class HostileFloat(float):
    def __str__(self): _mutate(); return "7.5"
    def __repr__(self): _mutate(); return "7.5"
    def __float__(self): _mutate(); return 7.5
    __hash__ = float.__hash__

class HostileStr(str):
    def __str__(self): _mutate(); return "hostile"
    def __repr__(self): _mutate(); return "hostile"
    __hash__ = str.__hash__

class HostileDecimal(decimal.Decimal):
    def __str__(self): _mutate(); return "7"
    def __repr__(self): _mutate(); return "7"

class HostileMeta(type):
    def __getattribute__(cls, name): _mutate(); return type.__getattribute__(cls, name)

class HostileOpaque(metaclass=HostileMeta):
    def __init__(self, value): pass
    def __hash__(self): return 7

def mk_str(data):
    return data.decode("utf-32-le", "surrogatepass")

def mk_decimal(text):
    try:
        return decimal.Decimal(text)
    except Exception:
        return decimal.Decimal("NaN")

def dumps(obj):
    try:
        return json.dumps(obj, allow_nan=True)
    except Exception:
        return None
"#;

static INIT: Once = Once::new();

/// Starts the interpreter (once) and loads the helpers into `__main__`. The fuzzing thread
/// keeps the GIL for the life of the process.
pub fn init() {
    INIT.call_once(|| {
        std::env::set_var("PYTHONHOME", env!("PYLAMBDA_FUZZ_PYTHONHOME"));
        // SAFETY: first and only initialization, on the thread that then runs every input.
        unsafe { ffi::Py_InitializeEx(0) };
        let code = CString::new(HELPERS).expect("no NUL in the helpers");
        // SAFETY: GIL held (Py_InitializeEx leaves it with this thread).
        unsafe {
            let r = testing::run_in_main(&code, testing::Code::Statements);
            if r.is_null() {
                ffi::PyErr_Print();
                panic!("pylambda-fuzz: the helper code failed");
            }
            ffi::Py_DecRef(r);
        }
    });
}

/// An owned (strong) reference.
pub struct Obj(*mut ffi::PyObject);

impl Drop for Obj {
    fn drop(&mut self) {
        // SAFETY: we own one reference; the GIL is held for the life of the process.
        unsafe { ffi::Py_DecRef(self.0) }
    }
}

impl Obj {
    /// Takes a new reference; a NULL (a failed call) is a harness bug, reported with the
    /// Python error.
    pub fn new(ptr: *mut ffi::PyObject, what: &str) -> Obj {
        if ptr.is_null() {
            // SAFETY: GIL held; an exception is set.
            unsafe { ffi::PyErr_Print() };
            panic!("pylambda-fuzz: {what} failed");
        }
        Obj(ptr)
    }

    pub fn ptr(&self) -> *mut ffi::PyObject {
        self.0
    }

    pub fn clone_ref(&self) -> Obj {
        // SAFETY: the object is alive while self is.
        unsafe { ffi::Py_IncRef(self.0) };
        Obj(self.0)
    }

    /// The reference count (the harness runs on CPython 3.11, where it is a plain field).
    pub fn refcnt(&self) -> isize {
        // SAFETY: live object.
        unsafe { ffi::Py_REFCNT(self.0) }
    }
}

/// `__main__.<name>`.
pub fn global(name: &CStr) -> Obj {
    // SAFETY: GIL held; AddModule and GetItemString return borrowed references.
    unsafe {
        let main = ffi::PyImport_AddModule(c"__main__".as_ptr());
        let globals = ffi::PyModule_GetDict(main);
        let item = ffi::PyDict_GetItemString(globals, name.as_ptr());
        assert!(!item.is_null(), "no global {name:?}");
        ffi::Py_IncRef(item);
        Obj(item)
    }
}

/// `callable(arg)`.
pub fn call1(callable: &Obj, arg: Obj) -> Obj {
    // SAFETY: GIL held; PyTuple_SetItem steals the argument's reference.
    unsafe {
        let args = ffi::PyTuple_New(1);
        ffi::PyTuple_SetItem(args, 0, arg.ptr());
        std::mem::forget(arg);
        let args = Obj::new(args, "tuple");
        Obj::new(
            ffi::PyObject_Call(callable.ptr(), args.ptr(), std::ptr::null_mut()),
            "call",
        )
    }
}

pub fn int_i64(v: i64) -> Obj {
    // SAFETY: GIL held.
    Obj::new(unsafe { ffi::PyLong_FromLongLong(v) }, "int")
}

pub fn int_u64(v: u64) -> Obj {
    // SAFETY: GIL held.
    Obj::new(unsafe { ffi::PyLong_FromUnsignedLongLong(v) }, "int")
}

/// An int from decimal digits (any size). Values that fit `i64` are made with
/// `PyLong_FromLongLong`: CPython 3.11's `PyLong_FromString("0")` leaves the zero's digit
/// undefined, which valgrind then reports at every reader of the int (scripts/hardening).
pub fn int_text(digits: &str) -> Obj {
    if let Ok(v) = digits.parse::<i64>() {
        return int_i64(v);
    }
    let text = CString::new(digits).expect("digits");
    // SAFETY: GIL held; NUL-terminated text.
    Obj::new(
        unsafe { ffi::PyLong_FromString(text.as_ptr(), std::ptr::null_mut(), 10) },
        "int from text",
    )
}

pub fn float(v: f64) -> Obj {
    // SAFETY: GIL held.
    Obj::new(unsafe { ffi::PyFloat_FromDouble(v) }, "float")
}

pub fn str_utf8(s: &str) -> Obj {
    // SAFETY: GIL held; valid UTF-8 of the given length.
    Obj::new(
        unsafe { ffi::PyUnicode_FromStringAndSize(s.as_ptr().cast(), s.len() as isize) },
        "str",
    )
}

pub fn bytes(b: &[u8]) -> Obj {
    // SAFETY: GIL held.
    Obj::new(
        unsafe { ffi::PyBytes_FromStringAndSize(b.as_ptr().cast(), b.len() as isize) },
        "bytes",
    )
}

pub fn bytearray(b: &[u8]) -> Obj {
    // SAFETY: GIL held.
    Obj::new(
        unsafe { ffi::PyByteArray_FromStringAndSize(b.as_ptr().cast(), b.len() as isize) },
        "bytearray",
    )
}

pub fn none() -> Obj {
    // SAFETY: GIL held; Py_None is a static object.
    unsafe {
        let none = ffi::Py_None();
        ffi::Py_IncRef(none);
        Obj(none)
    }
}

pub fn boolean(v: bool) -> Obj {
    // SAFETY: GIL held; the bool singletons are static.
    unsafe {
        let b = if v { ffi::Py_True() } else { ffi::Py_False() };
        ffi::Py_IncRef(b);
        Obj(b)
    }
}

pub fn list() -> Obj {
    // SAFETY: GIL held.
    Obj::new(unsafe { ffi::PyList_New(0) }, "list")
}

pub fn list_append(list: &Obj, item: &Obj) {
    // SAFETY: GIL held; Append takes its own reference.
    assert_eq!(unsafe { ffi::PyList_Append(list.ptr(), item.ptr()) }, 0);
}

pub fn tuple(items: Vec<Obj>) -> Obj {
    // SAFETY: GIL held; SetItem steals each reference.
    unsafe {
        let t = Obj::new(ffi::PyTuple_New(items.len() as isize), "tuple");
        for (i, item) in items.into_iter().enumerate() {
            ffi::PyTuple_SetItem(t.ptr(), i as isize, item.ptr());
            std::mem::forget(item);
        }
        t
    }
}

pub fn dict() -> Obj {
    // SAFETY: GIL held.
    Obj::new(unsafe { ffi::PyDict_New() }, "dict")
}

/// `d[key] = value`; false if the key is unhashable (the error is cleared).
pub fn dict_set(d: &Obj, key: &Obj, value: &Obj) -> bool {
    // SAFETY: GIL held; SetItem takes its own references.
    unsafe {
        if ffi::PyDict_SetItem(d.ptr(), key.ptr(), value.ptr()) == 0 {
            true
        } else {
            ffi::PyErr_Clear();
            false
        }
    }
}

pub fn set_of(items: Vec<Obj>) -> Obj {
    // SAFETY: GIL held.
    unsafe {
        let s = Obj::new(ffi::PySet_New(std::ptr::null_mut()), "set");
        for item in &items {
            if ffi::PySet_Add(s.ptr(), item.ptr()) != 0 {
                ffi::PyErr_Clear();
            }
        }
        s
    }
}

pub fn object() -> Obj {
    // SAFETY: GIL held; PyBaseObject_Type is a static type.
    unsafe {
        let ty = std::ptr::addr_of_mut!(ffi::PyBaseObject_Type).cast::<ffi::PyObject>();
        Obj::new(
            ffi::PyObject_CallObject(ty, std::ptr::null_mut()),
            "object()",
        )
    }
}

/// Whether a Python exception is set (none may be, between calls into the engine).
pub fn error_pending() -> Option<String> {
    // SAFETY: GIL held.
    unsafe {
        if ffi::PyErr_Occurred().is_null() {
            return None;
        }
        ffi::PyErr_Print();
        Some("a Python exception was left set".into())
    }
}

/// The UTF-8 of a `str` object (None for a str with lone surrogates, or not a str).
pub fn as_string(obj: &Obj) -> Option<String> {
    let mut len: ffi::Py_ssize_t = 0;
    // SAFETY: GIL held.
    unsafe {
        let data = ffi::PyUnicode_AsUTF8AndSize(obj.ptr(), &mut len);
        if data.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        let bytes = std::slice::from_raw_parts(data as *const u8, len as usize);
        Some(String::from_utf8(bytes.to_vec()).expect("CPython's UTF-8"))
    }
}

/// `hooks[0]`: how many times a hostile object's methods ran.
pub fn hook_calls() -> i64 {
    let hooks = global(c"hooks");
    // SAFETY: GIL held; hooks is a one-element list of ints.
    unsafe {
        let n = ffi::PyList_GetItem(hooks.ptr(), 0);
        ffi::PyLong_AsLongLong(n)
    }
}
