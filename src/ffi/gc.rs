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
//! Why, after a response is built for Lambda's runtime client: the collection those
//! allocations are owed would still run, at the next container Python allocates, which is in
//! the runtime client on its way to sending the response, and it would walk the whole response.
//! Once the runtime client has sent the response it frees it, and freeing a container takes it
//! off the count again: by the end of the invocation nothing is owed. So when the caller is the
//! runtime client (the context is awslambdaric's [`is_runtime_context`]), the pause ends when
//! that context object is freed at the end of the invocation
//! ([`GcPause::resume_when_freed`], a weak reference's callback), and at the latest when this
//! module is next called, instead of when the response is built. (End to end, on the 256 KB
//! batch under CPython 3.11: 14 collections per invocation become 13, as many as the Python
//! echo's, the collector's time 656 → 427 µs, the latency 2.4% lower; `bench/e2e/ab.py`.)
//! In that window only the runtime client's code runs (encoding and sending the response,
//! then freeing the invocation's objects), and other threads, whose allocations are counted as
//! usual and collected once it ends. A Python wrapper that keeps the context past its
//! invocation keeps the window open until the module's next call; another pylambda module in
//! the same process does not end it (each module has its own state).
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

/// Finds how to pause the collector, importing `gc` if this interpreter needs it, and makes
/// the callback that ends a pause handed over to an invocation's end. Called when the module is
/// imported (`entry::build_module`), where running Python code is allowed.
pub fn prepare_gc_pause(py: Python<'_>) {
    SWITCHES.get_or_init(|| c_api_switches().or_else(|| module_switches(py)));
    if HANDED_OVER.with(py, |h| h.callback.is_none()) {
        // Made outside the cell's borrow (see GilCell's contract); without it, no hand-over.
        let callback = new_builtin_function(py, c"pylambda_gc_resume", on_owner_freed, METH_O).ok();
        HANDED_OVER.with(py, |h| h.callback = callback);
    }
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
        // A pause handed over by an earlier call whose owner is still alive ends first: it was
        // never meant to last past the invocation it belonged to.
        settle_handed_over(py);
        let resume = switches().filter(|s| s.disable(py));
        GcPause { resume, py }
    }

    /// Ends the pause when `owner` is freed instead of now (see the module docs), or now if
    /// `owner` cannot be weakly referenced or the callback could not be made.
    pub fn resume_when_freed(mut self, owner: PyRef<'py>) {
        if self.resume.is_none() {
            return; // not paused by us: nothing to resume
        }
        let py = self.py;
        let Some(callback) = HANDED_OVER.with(py, |h| h.callback.as_ref().map(|c| c.clone_ref(py)))
        else {
            return; // dropped: resumes now
        };
        // SAFETY: the GIL is held (token); both objects are alive. The result is a new
        // reference, or NULL with a TypeError set for an object without weak references,
        // which `from_new` fetches (and so clears).
        let weakref = unsafe {
            PyOwned::from_new(sys::PyWeakref_NewRef(
                owner.as_ptr(),
                callback.borrow(py).as_ptr(),
            ))
        };
        let Ok(weakref) = weakref else {
            return; // dropped: resumes now
        };
        self.resume = None;
        let previous = HANDED_OVER.with(py, |h| {
            h.pending = true;
            h.weakref.replace(weakref)
        });
        drop(previous); // None: `new` settled any earlier hand-over before this pause began
    }
}

/// A pause handed over to the end of an invocation ([`GcPause::resume_when_freed`]).
struct HandedOver {
    /// The collector is off on our account, until the owner is freed or [`settle_handed_over`].
    pending: bool,
    /// The weak reference to the owner whose callback resumes the collector.
    weakref: Option<PyOwned>,
    /// `on_owner_freed` as a builtin function, made when the module is imported.
    callback: Option<PyOwned>,
}

static HANDED_OVER: GilCell<HandedOver> = GilCell::new(HandedOver {
    pending: false,
    weakref: None,
    callback: None,
});

/// Ends a pause handed over to an invocation's end, if it is still pending, and forgets its
/// weak reference.
fn settle_handed_over(py: Python<'_>) {
    resume_if_pending(py);
    // Dropping a weak reference whose object is alive cancels its callback (outside the
    // cell's borrow, see GilCell's contract).
    let weakref = HANDED_OVER.with(py, |h| h.weakref.take());
    drop(weakref);
}

/// Switches the collector back on if a pause handed over is pending, once.
fn resume_if_pending(py: Python<'_>) {
    if HANDED_OVER.with(py, |h| std::mem::take(&mut h.pending)) {
        if let Some(switches) = switches() {
            switches.enable(py);
        }
    }
}

/// The weak reference's callback: the invocation's owner was freed.
///
/// # Safety
/// Called by CPython (METH_O, the dead weak reference as `_weakref`) with the GIL held. The
/// weak reference is not dropped here (CPython still uses it while the callback runs): the
/// next [`settle_handed_over`] drops it.
unsafe extern "C" fn on_owner_freed(
    _slf: *mut RawObject,
    _weakref: *mut RawObject,
) -> *mut RawObject {
    let py = Python::assume_gil_acquired();
    resume_if_pending(py);
    none(py).into_raw()
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(switches) = self.resume {
            // The GIL is still held (`py` lives as long as this guard).
            switches.enable(self.py);
        }
    }
}

/// The type of the runtime client's context objects once one has been seen, and the last other
/// type seen as a context (both held, so that their addresses stay their own).
struct ContextTypes {
    runtime: Option<PyOwned>,
    other: Option<PyOwned>,
}

static CONTEXT_TYPES: GilCell<ContextTypes> = GilCell::new(ContextTypes {
    runtime: None,
    other: None,
});

/// Where and under which name awslambdaric, which Lambda's managed Python runtimes run,
/// defines its context objects' class.
const RUNTIME_CONTEXT_MODULE: &str = "awslambdaric.lambda_context";
const RUNTIME_CONTEXT_CLASS: &str = "LambdaContext";

/// Whether `obj` is a context object made by Lambda's runtime client, i.e. the caller is the
/// runtime client, which frees the context when the invocation ends. For a type seen for the
/// first time, reads its `__module__` and `__qualname__` (if its metaclass is `type` itself:
/// C code that allocates no container, so it cannot set off a collection); after that, a
/// pointer comparison.
pub fn is_runtime_context(obj: PyRef<'_>) -> bool {
    if obj.is_none() {
        return false;
    }
    let py = obj.py();
    // SAFETY: the GIL is held (token); PyObject_Type returns a new reference to the live type.
    let Ok(ty) = (unsafe { PyOwned::from_new(sys::PyObject_Type(obj.as_ptr())) }) else {
        return false;
    };
    let ptr = ty.borrow(py).as_ptr();
    let seen = CONTEXT_TYPES.with(py, |t| {
        let is = |slot: &Option<PyOwned>| slot.as_ref().map(|s| s.borrow(py).as_ptr()) == Some(ptr);
        if is(&t.runtime) {
            Some(true)
        } else if is(&t.other) {
            Some(false)
        } else {
            None
        }
    });
    if let Some(answer) = seen {
        return answer;
    }
    let matches = is_runtime_context_type(ty.borrow(py));
    let replaced = CONTEXT_TYPES.with(py, |t| {
        let slot = if matches {
            &mut t.runtime
        } else {
            &mut t.other
        };
        slot.replace(ty)
    });
    drop(replaced); // released after the borrow ended (see GilCell's contract)
    matches
}

fn is_runtime_context_type(ty: PyRef<'_>) -> bool {
    // SAFETY: the GIL is held (token); PyObject_Type returns a new reference to the metaclass.
    let Ok(metaclass) = (unsafe { PyOwned::from_new(sys::PyObject_Type(ty.as_ptr())) }) else {
        return false;
    };
    // `type` itself, a static object: an address comparison (no unsafe needed to take it).
    let plain =
        metaclass.borrow(ty.py()).as_ptr() == std::ptr::addr_of_mut!(sys::PyType_Type).cast();
    plain
        && ty.getattr_string(c"__module__").as_deref() == Some(RUNTIME_CONTEXT_MODULE)
        && ty.getattr_string(c"__qualname__").as_deref() == Some(RUNTIME_CONTEXT_CLASS)
}
