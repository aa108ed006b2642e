//! The cyclic garbage collector, held off while the engine converts (in both directions).
//!
//! Why, reading an event: the engine holds borrowed references into the event's objects, and
//! a collection set off by an allocation the engine makes (an error message, say) runs
//! finalizers and weakref callbacks — Python code — that could change the event under them.
//!
//! Why, building a response: up to CPython 3.11 a collection runs inside the allocation that
//! takes generation 0 past its threshold (700 containers by default). Building a response of
//! thousands of dicts and lists therefore ran a dozen young collections in the middle of it,
//! each walking objects still being filled in, every tenth of them a middle collection, and
//! from those, now and then, a full collection of the whole heap. None of them can find
//! garbage: a response is a fresh tree that only we reference. Paused, the allocations are
//! still counted, and the collector runs once, at the next container Python allocates after
//! the response is built, over the same objects. (Measured on the end-to-end benchmark's
//! 256 KB DynamoDB batch under CPython 3.11, in the runtime: 27 collections per invocation
//! become 14, full ones 0.2 become 0.1, the collector's time drops by a third;
//! docs/benchmarks-e2e.md.)
//! CPython 3.12 and later only schedule a collection there, for the interpreter's next check,
//! so the pause changes nothing but the moment it runs.
//!
//! `PyGC_Disable`/`PyGC_Enable` are stable-ABI functions of CPython 3.10 and later, and the
//! module also loads into 3.6 to 3.9, so they are looked up when first needed instead of
//! linked. Where they are missing, the `gc` module's own `isenabled`, `disable` and `enable`
//! do the same (they are C functions: calling them runs no Python code), found when the
//! module is imported ([`prepare_gc_pause`]): importing `gc` runs the import machinery, which
//! must not happen in the middle of a conversion.

use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

use super::*;

type Switch = unsafe extern "C" fn() -> c_int;

/// How this interpreter's collector is switched off and on again.
enum Switches {
    /// CPython 3.10 and later: `PyGC_Disable` and `PyGC_Enable`.
    CApi { disable: Switch, enable: Switch },
    /// CPython 3.6 to 3.9: `gc.isenabled`, `gc.disable` and `gc.enable`, checked to be the
    /// built-in (C) functions, held for the life of the process.
    Module {
        isenabled: PyOwned,
        disable: PyOwned,
        enable: PyOwned,
    },
}

// SAFETY: the `Module` variant's objects are only called with the GIL held (`disable` and
// `enable` take the token), which serializes every access to a Python object across threads;
// their references are never released (the static lives as long as the process).
unsafe impl Send for Switches {}
unsafe impl Sync for Switches {}

static SWITCHES: OnceLock<Option<Switches>> = OnceLock::new();

fn switches() -> Option<&'static Switches> {
    // Not prepared (a conversion outside an imported module, as in the crate's own tests):
    // the C functions, or no pause.
    SWITCHES.get_or_init(c_api_switches).as_ref()
}

/// Finds how to pause the collector, importing `gc` if this interpreter needs it. Called when
/// the module is imported (`entry::build_module`), where running Python code is allowed.
pub fn prepare_gc_pause(py: Python<'_>) {
    SWITCHES.get_or_init(|| c_api_switches().or_else(|| module_switches(py)));
}

fn c_api_switches() -> Option<Switches> {
    // SAFETY: `dlsym(RTLD_DEFAULT, ..)` searches the process's global symbols, where the
    // interpreter's C API is (every extension module resolves it there); the names are
    // NUL-terminated. A symbol found under these names is CPython's `int PyGC_…(void)`, the
    // signature of `Switch`, in every version that has it.
    unsafe {
        let disable = libc::dlsym(libc::RTLD_DEFAULT, c"PyGC_Disable".as_ptr());
        let enable = libc::dlsym(libc::RTLD_DEFAULT, c"PyGC_Enable".as_ptr());
        if disable.is_null() || enable.is_null() {
            return None;
        }
        Some(Switches::CApi {
            disable: std::mem::transmute::<*mut c_void, Switch>(disable),
            enable: std::mem::transmute::<*mut c_void, Switch>(enable),
        })
    }
}

/// `gc.isenabled`, `gc.disable`, `gc.enable`, if they are the built-in functions (a program
/// that replaced them with Python functions gets no pause rather than its code run mid-way).
fn module_switches(py: Python<'_>) -> Option<Switches> {
    let gc = import(c"gc").ok()?; // a failure is fetched (cleared) into the dropped `PyErr`
    let builtin = |name| {
        gc.borrow(py)
            .getattr(name)
            .filter(|f| f.borrow(py).is_builtin_function())
    };
    Some(Switches::Module {
        isenabled: builtin(c"isenabled")?,
        disable: builtin(c"disable")?,
        enable: builtin(c"enable")?,
    })
}

/// Calls a built-in function of no arguments; `Some(truth of its result)`, `None` if it
/// raised (the exception is cleared: a failed pause is no pause, never an error).
fn call_builtin(py: Python<'_>, function: &PyOwned) -> Option<bool> {
    // SAFETY: the GIL is held (token); `function` is a live built-in function taking no
    // arguments (checked in `module_switches`); NULL args means no arguments. The result is a
    // new reference or NULL with an exception set.
    let result = unsafe {
        PyOwned::from_new(sys::PyObject_CallObject(
            function.borrow(py).as_ptr(),
            std::ptr::null_mut(),
        ))
    };
    result.ok().map(|r| is_truthy(r.borrow(py)))
}

impl Switches {
    /// Switches the collector off; whether it was on (and so must be switched on again).
    fn disable(&self, py: Python<'_>) -> bool {
        match self {
            // SAFETY: the token proves we hold the GIL, which `PyGC_Disable` needs; it
            // returns whether the collector was enabled.
            Switches::CApi { disable, .. } => unsafe { disable() == 1 },
            Switches::Module {
                isenabled, disable, ..
            } => call_builtin(py, isenabled) == Some(true) && call_builtin(py, disable).is_some(),
        }
    }

    fn enable(&self, py: Python<'_>) {
        match self {
            // SAFETY: as in `disable`.
            Switches::CApi { enable, .. } => unsafe {
                enable();
            },
            Switches::Module { enable, .. } => {
                call_builtin(py, enable);
            }
        }
    }
}

/// Holds the collector off from [`GcPause::new`] until dropped, then puts it back as it was
/// (a collector the user disabled stays disabled). Tied to the GIL token: the state is the
/// interpreter's, and no other thread can see it change while we hold the GIL and run no
/// Python code.
pub struct GcPause<'py> {
    resume: Option<&'static Switches>,
    py: Python<'py>,
}

impl<'py> GcPause<'py> {
    pub fn new(py: Python<'py>) -> GcPause<'py> {
        let resume = switches().filter(|s| s.disable(py));
        GcPause { resume, py }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(switches) = self.resume {
            // The GIL is still held (`py` lives as long as this guard).
            switches.enable(self.py);
        }
    }
}
