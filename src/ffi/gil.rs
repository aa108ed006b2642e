//! The GIL: releasing it around Rust work, taking it from any thread, and state it guards.

use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;

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

/// Threads inside [`with_gil`], or about to take the GIL in it.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// Set by the exit gate: Python is shutting down.
static EXITING: AtomicBool = AtomicBool::new(false);
/// How long the exit gate waits for threads already inside [`with_gil`].
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Runs `f` with the GIL held, from any thread (e.g. a log record from a Tokio worker) —
/// unless Python is shutting down, then `None`.
///
/// Why the gate: once CPython finalizes, a thread that is not Python's and takes the GIL is
/// ended by `pthread_exit`, whose forced unwinding through Rust frames aborts the process
/// ("FATAL: exception not rethrown"). The exit gate ([`register_exit_gate`], an `atexit`
/// hook) closes before finalization begins and waits, GIL released, for the threads already
/// inside; no thread enters after it.
#[allow(dead_code)] // used by the logging bridge, which features may leave out
pub fn with_gil<T>(f: impl FnOnce(Python<'_>) -> T) -> Option<T> {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        }
    }
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    let _leave = Leave;
    // SeqCst on both sides: either the gate sees this thread in flight and waits for it, or
    // this thread sees the gate closed.
    if EXITING.load(Ordering::SeqCst) || !is_initialized() {
        return None;
    }
    struct Release(sys::PyGILState_STATE);
    impl Drop for Release {
        fn drop(&mut self) {
            // SAFETY: pairs with the Ensure below, on the same thread.
            unsafe { sys::PyGILState_Release(self.0) }
        }
    }
    // SAFETY: the interpreter runs and is not finalizing (gate open): PyGILState_Ensure may be
    // called from any thread.
    let _release = Release(unsafe { sys::PyGILState_Ensure() });
    Some(f(unsafe { Python::assume_gil_acquired() }))
}

/// Registers the exit gate with Python's `atexit`, once per module. `atexit` hooks run at
/// the start of `Py_FinalizeEx`, after Python's own threads were joined and before any
/// thread state is torn down.
#[allow(dead_code)] // used by the logging bridge, which features may leave out
pub fn register_exit_gate(py: Python<'_>) -> Result<(), PyErr> {
    static REGISTERED: AtomicBool = AtomicBool::new(false);
    if REGISTERED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let gate = new_builtin_function(py, c"pylambda_exit_gate", close_exit_gate, METH_NOARGS)?;
    let atexit = import(c"atexit")?;
    call_method(atexit.borrow(py), c"register", &[gate.borrow(py)]).map(drop)
}

/// The `atexit` hook: closes the gate, then waits for the threads inside [`with_gil`] with the
/// GIL released (they need it to finish), at most [`EXIT_GRACE`].
///
/// # Safety
/// Called by CPython (METH_NOARGS) with the GIL held.
unsafe extern "C" fn close_exit_gate(
    _slf: *mut RawObject,
    _args: *mut RawObject,
) -> *mut RawObject {
    EXITING.store(true, Ordering::SeqCst);
    let py = Python::assume_gil_acquired();
    allow_threads(py, || {
        let deadline = Instant::now() + EXIT_GRACE;
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    none(py).into_raw()
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
