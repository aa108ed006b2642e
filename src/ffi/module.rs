//! The extension module: its definition, its functions, and the C entry point they share.

use std::ffi::{c_char, c_int, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::*;

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

pub(super) const METH_NOARGS: c_int = 0x0004;
pub(super) const METH_O: c_int = 0x0008;
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

/// A builtin function object for a C function, not tied to a module: `function(self, arg)`
/// with `flags` [`METH_NOARGS`] (`arg` NULL; the `atexit` hook) or [`METH_O`] (one argument;
/// a weak reference's callback).
pub(super) fn new_builtin_function(
    _py: Python<'_>,
    name: &'static CStr,
    function: unsafe extern "C" fn(*mut RawObject, *mut RawObject) -> *mut RawObject,
    flags: c_int,
) -> Result<PyOwned, PyErr> {
    // Leaked: CPython keeps a pointer to the definition for the function's lifetime.
    let def = Box::leak(Box::new(MethodDef {
        ml_name: name.as_ptr(),
        ml_meth: function as *const std::ffi::c_void,
        ml_flags: flags,
        ml_doc: c"".as_ptr(),
    }));
    // SAFETY: a 'static definition, no self, no module; the GIL is held (token).
    unsafe {
        PyOwned::from_new(sys::PyCFunction_NewEx(
            def as *mut MethodDef as *mut sys::PyMethodDef,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        ))
    }
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
    call_catching(py, |py| (bound.callable)(py, &call), bound.on_panic)
}

/// Sets `raise` as the pending exception.
pub fn raise_now(py: Python<'_>, raise: Raise) {
    self::raise(py, &raise.class, &raise.message);
}

/// The body of `PyInit_<module>`, which the [`crate::lambda!`] macro generates: builds the
/// module (`crate::entry::build_module`) and returns it, or NULL with an exception set.
///
/// # Safety
/// Only call from the module's `PyInit_*` function (CPython holds the GIL there).
pub unsafe fn module_init(
    name: &'static CStr,
    exports: impl FnOnce() -> Vec<crate::entry::Export>,
    init: Option<crate::entry::BoxedInit>,
) -> *mut RawObject {
    let py = Python::assume_gil_acquired();
    call_catching(
        py,
        |py| crate::entry::build_module(py, name, exports, init),
        crate::entry::on_panic,
    )
}

/// Runs `body` (an exported function's call, or a module's initialization), catching panics,
/// and converts its outcome into what CPython expects back from C: a new reference, or NULL
/// with an exception set. A panic never unwinds into C.
#[inline]
fn call_catching(
    py: Python<'_>,
    body: impl FnOnce(Python<'_>) -> Result<PyOwned, Raise>,
    on_panic: PanicHandler,
) -> *mut RawObject {
    let outcome = catch_unwind(AssertUnwindSafe(|| body(py)));
    let raise = match outcome {
        Ok(Ok(object)) => return object.into_raw(),
        Ok(Err(raise)) => raise,
        Err(payload) => match catch_unwind(AssertUnwindSafe(|| on_panic(py, payload))) {
            Ok(raise) => raise,
            // A panic while describing a panic: give up on details, never unwind into C.
            Err(_) => {
                raise_type_error(py, "pylambda: panic while reporting a panic");
                return std::ptr::null_mut();
            }
        },
    };
    raise_now(py, raise);
    std::ptr::null_mut()
}
