//! The Tokio runtime that runs `async` handlers.
//!
//! Created on the first async invocation, never at import: Lambda's INIT phase should do only
//! what the function needs, and under multi-concurrency the Python runtime forks workers after
//! import — a runtime with threads must not exist before a fork. It is a current-thread
//! runtime: an invocation is one future driven to completion on the runtime's thread, which
//! is the thread that called the handler.

use std::future::Future;
use std::sync::OnceLock;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

/// Runs `future` to completion on the shared runtime.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("pylambda: could not create the Tokio runtime for async handlers")
        })
        .block_on(future)
}

/// Whether the runtime exists yet (tests check that importing a module does not create it).
pub fn started() -> bool {
    RUNTIME.get().is_some()
}
