//! Python exceptions: taking them out of the interpreter, making exception classes,
//! raising.

use std::ffi::{c_char, CString};

use super::*;

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

    pub(super) fn msg(message: &str) -> PyErr {
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

/// `warnings.warn(message, RuntimeWarning)`, attributed to the code that imported the module.
/// Where the warnings filter turns it into an error (`-W error`), that error is returned.
pub fn warn_runtime(_py: Python<'_>, message: &str) -> Result<(), PyErr> {
    let message = CString::new(message.replace('\0', " ")).expect("NUL bytes were replaced");
    // SAFETY: GIL held (token); PyExc_RuntimeWarning is a static exception class; the message
    // is NUL-terminated and outlives the call. -1 means the warning was raised as an exception.
    match unsafe { sys::PyErr_WarnEx(sys::PyExc_RuntimeWarning, message.as_ptr(), 1) } {
        -1 => Err(PyErr::fetch()),
        _ => Ok(()),
    }
}
