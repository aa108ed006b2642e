//! The GIL: releasing it around Rust work, taking it from any thread, and state it guards.

use std::ffi::CStr;

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
