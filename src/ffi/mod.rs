//! The one module that talks to CPython. Every `unsafe` block of the crate is here, in files
//! with one job each: [`object`] (references, and reading objects), [`construct`] (making
//! them), [`error`] (exceptions), [`gil`], [`module`] (the module, its functions, the C entry
//! point), [`calls`] (calls into Python for logging and interop), [`testing`] (raw-pointer entry
//! points for the crate's own integration tests).
//!
//! # Rules this module keeps (and why)
//!
//! * **Functions, not layouts.** CPython 3.14 changed `PyTupleObject`, 3.12 changed what a
//!   reference count means (immortal objects), free-threaded builds change it again. So we call
//!   C-API *functions* of the stable ABI (`PyList_GetItem`, `Py_IncRef`, ...) and never the
//!   struct-layout macros (`PyTuple_GET_ITEM`, `Py_INCREF`, field reads). One `.so` then serves
//!   every CPython from 3.11 to 3.15 (the packaging tests check the imported symbols against the
//!   3.11 stable-ABI list).
//! * **One exception: `ob_type`.** The type pointer is read from the object header on the hot
//!   path, as orjson does. The stable ABI lists `PyObject` with its members (`ob_refcnt`,
//!   `ob_type`), so this read is part of the ABI contract for non-free-threaded builds;
//!   [`check_object_layout`] compares it with `PyObject_Type` when every module is imported, so
//!   an interpreter with another layout gets an ImportError, not a crash.
//! * **The GIL is proven by a token.** Functions that touch objects take `cpython::Python<'py>`
//!   (rust-cpython's zero-sized GIL token) or a [`PyRef<'py>`] that can only be made while one is
//!   held. User code never receives either: handlers run with the GIL released.
//! * **Borrowed references stay valid** because no Python code of the event's objects runs while
//!   we convert: `str()`/`repr()` are only called on exact `int`, `float` and `decimal.Decimal`
//!   objects (subclass instances are copied to their exact base type first, without calling
//!   them), whose methods are C code that neither releases the GIL nor mutates containers.
//! * **No unwinding across the C boundary.** The trampoline catches every panic.

#![allow(unsafe_code)]

mod calls;
mod construct;
mod error;
mod gc;
mod gil;
mod module;
mod object;
pub mod testing;

pub use calls::*;
pub use construct::*;
pub use error::*;
pub use gc::*;
pub use gil::*;
pub use module::*;
pub use object::*;

pub use cpython::Python;
use python3_sys as sys;

/// Opaque CPython object, as the C API sees it.
pub use sys::PyObject as RawObject;
