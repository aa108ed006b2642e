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
//! linked: where they are missing, nothing is paused.

use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

use super::*;

type Switch = unsafe extern "C" fn() -> c_int;

/// The interpreter's `PyGC_Disable` and `PyGC_Enable`, if it has them.
struct Switches {
    disable: Switch,
    enable: Switch,
}

static SWITCHES: OnceLock<Option<Switches>> = OnceLock::new();

fn switches() -> Option<&'static Switches> {
    SWITCHES.get_or_init(find_switches).as_ref()
}

fn find_switches() -> Option<Switches> {
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
        Some(Switches {
            disable: std::mem::transmute::<*mut c_void, Switch>(disable),
            enable: std::mem::transmute::<*mut c_void, Switch>(enable),
        })
    }
}

/// Holds the collector off from [`GcPause::new`] until dropped, then puts it back as it was
/// (a collector the user disabled stays disabled). Tied to the GIL token: the state is the
/// interpreter's, and no other thread can see it change while we hold the GIL and run no
/// Python code.
pub struct GcPause<'py> {
    resume: Option<&'static Switches>,
    _gil: Python<'py>,
}

impl<'py> GcPause<'py> {
    pub fn new(py: Python<'py>) -> GcPause<'py> {
        // SAFETY: the token proves we hold the GIL, which `PyGC_Disable` needs; it returns
        // whether the collector was enabled.
        let resume = switches().filter(|s| unsafe { (s.disable)() } == 1);
        GcPause { resume, _gil: py }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(switches) = self.resume {
            // SAFETY: the GIL is still held (`_gil` lives as long as this guard).
            unsafe { (switches.enable)() };
        }
    }
}
