//! What counts as a handler: plain and `async` functions and closures, with or without the
//! [`Context`].
//!
//! | signature | |
//! |---|---|
//! | `fn(E, Context) -> Result<R, Er>` | the common case |
//! | `fn(E) -> Result<R, Er>` | when the context is not needed |
//! | `async fn(E, Context) -> Result<R, Er>` | run on a Tokio runtime created on first use |
//! | `async fn(E) -> Result<R, Er>` | |
//! | `fn(LambdaEvent<E>) -> Result<R, Er>`, `async fn(LambdaEvent<E>) -> ...` | `lambda_runtime`'s form, for handlers ported from it |
//!
//! with `E: DeserializeOwned` (the event), `R: Serialize` (the response) and
//! `Er: Into<Diagnostic>` (any error; [`crate::Error`] takes anything with `?`).
//!
//! The `M` parameter of [`Handler`] only tells the forms apart (the trick axum and bevy
//! use for their handler traits): the compiler picks the one impl that applies, so users
//! never name it.

#[cfg(feature = "async")]
use std::future::Future;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{Context, Diagnostic, LambdaEvent};

/// A function that can serve invocations. Implemented for the signatures in the module docs;
/// see [`crate::lambda!`].
pub trait Handler<M>: Send + Sync + 'static {
    /// The event type the handler takes.
    type Event: DeserializeOwned + 'static;
    /// The response type the handler returns.
    type Response: Serialize + 'static;
    /// Whether the handler takes a [`Context`]. Reading the runtime's context object costs
    /// a dozen attribute lookups per invocation (about a microsecond), which a handler that
    /// never sees it should not pay: it gets `Context::default()` instead.
    const TAKES_CONTEXT: bool = true;

    /// Runs the handler (without the GIL, on the runtime's thread).
    fn run(&self, event: Self::Event, context: Context) -> Result<Self::Response, Diagnostic>;
}

/// Marker for `fn(E, Context) -> Result<R, Er>`.
pub struct WithContext<E, R, Er>(PhantomData<fn(E) -> (R, Er)>);
/// Marker for `fn(E) -> Result<R, Er>`.
pub struct EventOnly<E, R, Er>(PhantomData<fn(E) -> (R, Er)>);
/// Marker for `async fn(E, Context) -> Result<R, Er>`.
pub struct AsyncWithContext<E, Fut>(PhantomData<fn(E) -> Fut>);
/// Marker for `async fn(E) -> Result<R, Er>`.
pub struct AsyncEventOnly<E, Fut>(PhantomData<fn(E) -> Fut>);
/// Marker for `fn(LambdaEvent<E>) -> Result<R, Er>`.
pub struct LambdaEventForm<E, R, Er>(PhantomData<fn(E) -> (R, Er)>);
/// Marker for `async fn(LambdaEvent<E>) -> Result<R, Er>`.
pub struct AsyncLambdaEventForm<E, Fut>(PhantomData<fn(E) -> Fut>);

impl<F, E, R, Er> Handler<WithContext<E, R, Er>> for F
where
    F: Fn(E, Context) -> Result<R, Er> + Send + Sync + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize + 'static,
    Er: Into<Diagnostic> + 'static,
{
    type Event = E;
    type Response = R;

    fn run(&self, event: E, context: Context) -> Result<R, Diagnostic> {
        self(event, context).map_err(Into::into)
    }
}

impl<F, E, R, Er> Handler<EventOnly<E, R, Er>> for F
where
    F: Fn(E) -> Result<R, Er> + Send + Sync + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize + 'static,
    Er: Into<Diagnostic> + 'static,
{
    type Event = E;
    type Response = R;

    const TAKES_CONTEXT: bool = false;

    fn run(&self, event: E, _context: Context) -> Result<R, Diagnostic> {
        self(event).map_err(Into::into)
    }
}

#[cfg(feature = "async")]
impl<F, E, Fut, R, Er> Handler<AsyncWithContext<E, Fut>> for F
where
    F: Fn(E, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, Er>> + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize + 'static,
    Er: Into<Diagnostic> + 'static,
{
    type Event = E;
    type Response = R;

    fn run(&self, event: E, context: Context) -> Result<R, Diagnostic> {
        crate::runtime::block_on(self(event, context)).map_err(Into::into)
    }
}

#[cfg(feature = "async")]
impl<F, E, Fut, R, Er> Handler<AsyncEventOnly<E, Fut>> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, Er>> + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize + 'static,
    Er: Into<Diagnostic> + 'static,
{
    type Event = E;
    type Response = R;

    const TAKES_CONTEXT: bool = false;

    fn run(&self, event: E, _context: Context) -> Result<R, Diagnostic> {
        crate::runtime::block_on(self(event)).map_err(Into::into)
    }
}

// `LambdaEvent<E>` is not `Deserialize`, so for a `fn(LambdaEvent<E>)` the `EventOnly` impls
// above do not apply and the compiler picks these.
impl<F, E, R, Er> Handler<LambdaEventForm<E, R, Er>> for F
where
    F: Fn(LambdaEvent<E>) -> Result<R, Er> + Send + Sync + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize + 'static,
    Er: Into<Diagnostic> + 'static,
{
    type Event = E;
    type Response = R;

    fn run(&self, event: E, context: Context) -> Result<R, Diagnostic> {
        self(LambdaEvent::new(event, context)).map_err(Into::into)
    }
}

#[cfg(feature = "async")]
impl<F, E, Fut, R, Er> Handler<AsyncLambdaEventForm<E, Fut>> for F
where
    F: Fn(LambdaEvent<E>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, Er>> + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize + 'static,
    Er: Into<Diagnostic> + 'static,
{
    type Event = E;
    type Response = R;

    fn run(&self, event: E, context: Context) -> Result<R, Diagnostic> {
        crate::runtime::block_on(self(LambdaEvent::new(event, context))).map_err(Into::into)
    }
}

/// The init function given to [`crate::lambda!`]: runs once, when Python imports the module
/// (Lambda's INIT phase). An error makes the import fail with its message.
pub trait InitFn: Send + 'static {
    /// Runs the init function.
    fn run_init(self) -> Result<(), Diagnostic>;
}

impl<F, Er> InitFn for F
where
    F: FnOnce() -> Result<(), Er> + Send + 'static,
    Er: Into<Diagnostic>,
{
    fn run_init(self) -> Result<(), Diagnostic> {
        self().map_err(Into::into)
    }
}
