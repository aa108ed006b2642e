//! Plain Rust functions that Python code calls: the same module that holds a handler can
//! export `checksum`, `resize`, `parse`... for a Python handler, a Python layer, or a function
//! being ported to Rust one piece at a time.
//!
//! ```
//! use pylambda::{Context, Error};
//! use serde_bytes::ByteBuf;
//! use serde_json::Value;
//!
//! /// `liblambda.checksum(data: bytes) -> int`
//! fn checksum(data: ByteBuf) -> Result<u32, Error> {
//!     Ok(data.iter().fold(0u32, |sum, b| sum.wrapping_mul(31).wrapping_add(u32::from(*b))))
//! }
//!
//! /// `liblambda.scale(values: list[float], factor: float) -> list[float]`: several arguments
//! /// arrive as one tuple.
//! fn scale((values, factor): (Vec<f64>, f64)) -> Result<Vec<f64>, Error> {
//!     Ok(values.into_iter().map(|v| v * factor).collect())
//! }
//!
//! fn handler(event: Value, _ctx: Context) -> Result<Value, Error> {
//!     Ok(event)
//! }
//!
//! pylambda::lambda! {
//!     "handler" => handler,
//!     "checksum" => pylambda::function(checksum),
//!     "scale" => pylambda::function(scale),
//! }
//! ```
//!
//! and from Python (`app.py`, packaged next to `liblambda.so`):
//!
//! ```python
//! import liblambda
//!
//! def handler(event, context):
//!     data = event["body"].encode()
//!     return {"checksum": liblambda.checksum(data), "scaled": liblambda.scale([1.0, 2.5], 2.0)}
//! ```
//!
//! # Calling convention
//!
//! * Arguments are positional and converted by the same engine as events: **one argument**
//!   converts to the function's parameter type; **several** convert as a tuple (so the
//!   parameter is a Rust tuple, a tuple struct or a `Vec`); **none** converts from `None`
//!   (a `()` or `Option<T>` parameter). Keyword arguments are a `TypeError`.
//! * The return value converts back like a handler's response (`serde_bytes::ByteBuf` becomes
//!   `bytes`, structs become `dict`s, ...).
//! * Failures raise as they do for handlers: `Err(e)` raises an exception whose class name is
//!   the [`Diagnostic`]'s `error_type`; arguments that do not fit raise `DeserializeError` (a
//!   `ValueError`) or `TypeError` naming the path (`[1]: invalid type: ...`); a panic raises
//!   `RustPanic`. The exception classes are the module's own (`liblambda.RustPanic`, ...), so a
//!   Python handler can catch them.
//! * The function runs with the GIL released (Python threads keep running), and its arguments
//!   are owned copies (`DeserializeOwned`): a `bytes` argument is copied once into the
//!   `ByteBuf`.
//! * Log records it writes flow to Python's `logging` like a handler's ([`crate::logging`]).

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::convert::{self, EventStrings};
use crate::entry::{run_user_code, Export, Exportable, Failure};
use crate::ffi::{self, CallArgs, PyOwned, Python};
use crate::Diagnostic;

/// Wraps a plain function for [`crate::lambda!`], which exports it under the given name; see
/// the [module docs](self) for how arguments and errors cross.
///
/// ```
/// fn double(x: i64) -> Result<i64, pylambda::Error> {
///     Ok(x * 2)
/// }
///
/// // In a module: `pylambda::lambda! { "handler" => handler, "double" => pylambda::function(double) }`
/// let exported = pylambda::function(double);
/// # let _ = exported;
/// ```
pub fn function<M, F: PyFunction<M>>(f: F) -> Function<F, M> {
    Function {
        f,
        _marker: PhantomData,
    }
}

/// A plain function made exportable by [`function`].
pub struct Function<F, M> {
    f: F,
    _marker: PhantomData<fn() -> M>,
}

/// What [`function`] accepts: `Fn(A) -> Result<R, E>` with `A: DeserializeOwned` (the
/// argument, or the tuple of arguments), `R: Serialize` and `E: Into<Diagnostic>` (any error
/// type a handler may return). The `M` parameter only tells impls apart, as in
/// [`Handler`](crate::Handler).
///
/// ```
/// use pylambda::interop::PyFunction;
///
/// fn add((a, b): (i64, i64)) -> Result<i64, pylambda::Error> {
///     Ok(a + b)
/// }
///
/// assert_eq!(add.call((2, 3)).unwrap(), 5);
/// ```
pub trait PyFunction<M>: Send + Sync + 'static {
    /// The argument (several Python arguments arrive as one tuple).
    type Args: DeserializeOwned + 'static;
    /// The return value.
    type Output: Serialize + 'static;

    /// Calls the function.
    fn call(&self, args: Self::Args) -> Result<Self::Output, Diagnostic>;
}

/// Marker for `Fn(A) -> Result<R, E>` in [`PyFunction`].
pub struct Plain<A, R, E>(PhantomData<fn(A) -> (R, E)>);

impl<F, A, R, E> PyFunction<Plain<A, R, E>> for F
where
    F: Fn(A) -> Result<R, E> + Send + Sync + 'static,
    A: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<Diagnostic> + 'static,
{
    type Args = A;
    type Output = R;

    fn call(&self, args: A) -> Result<R, Diagnostic> {
        self(args).map_err(Into::into)
    }
}

/// Marker for [`Function`] in the crate's internal `Exportable` trait.
pub struct FunctionExport<M>(PhantomData<M>);

impl<F: PyFunction<M>, M: 'static> Exportable<FunctionExport<M>> for Function<F, M> {
    fn into_export(self, name: &'static std::ffi::CStr) -> Export {
        let f = self.f;
        let display = name.to_string_lossy().into_owned();
        Export::new(
            name,
            Box::new(move |py: Python<'_>, args: &CallArgs<'_>| {
                call(&f, &display, py, args).map_err(|failure| failure.into_raise(py))
            }),
        )
    }
}

/// One call from Python: arguments in, the function without the GIL, the result out.
fn call<M, F: PyFunction<M>>(
    f: &F,
    name: &str,
    py: Python<'_>,
    args: &CallArgs<'_>,
) -> Result<PyOwned, Failure> {
    if args.keywords().next().is_some() {
        return Err(Failure::Usage(format!(
            "{name}() takes positional arguments only"
        )));
    }
    let positional: Vec<_> = (0..args.positional_len())
        .filter_map(|i| args.positional(i))
        .collect();
    let made: PyOwned;
    let input = match positional.as_slice() {
        [] => {
            made = ffi::none(py);
            made.borrow(py)
        }
        [one] => *one,
        several => {
            made = ffi::new_tuple(py, several);
            made.borrow(py)
        }
    };
    let mut strings = EventStrings::new();
    let parsed: F::Args =
        convert::from_python_owned(input, &mut strings).map_err(Failure::Event)?;
    run_user_code(py, &mut strings, None, move || f.call(parsed))
}
