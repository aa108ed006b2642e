//! # pylambda
//!
//! Write AWS Lambda functions in Rust and run them in Lambda's **Python** runtime, as a native
//! CPython extension module.
//!
//! ```
//! use pylambda::{Context, Error};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize)]
//! struct Request { name: String }
//!
//! #[derive(Serialize)]
//! struct Response { greeting: String }
//!
//! fn hello(event: Request, ctx: Context) -> Result<Response, Error> {
//!     Ok(Response { greeting: format!("Hello, {} (request {})", event.name, ctx.request_id) })
//! }
//!
//! pylambda::lambda!(hello);
//! ```
//!
//! With `[lib] name = "lambda"` and `crate-type = ["cdylib"]` this builds `liblambda.so`;
//! zip it, choose a Python runtime (3.11 to 3.15), and set the handler to
//! `liblambda.handler`. Lambda's own Python runtime client imports the module and calls the
//! handler; pylambda converts the event into your type, runs your function with the GIL
//! released, and converts the response back.
//!
//! ## Conversions
//!
//! The runtime hands the handler the event as decoded by `simplejson`, and encodes what it
//! returns with `simplejson`. pylambda converts between those Python objects and serde types
//! directly (no JSON text in between), exactly:
//!
//! | Python | → Rust (`Deserialize`) | Rust (`Serialize`) → | Python |
//! |---|---|---|---|
//! | `None` | unit, `None` of `Option<T>`, `Value::Null` | `()`, `None`, unit struct | `None` |
//! | `bool` | `bool` | `bool` | `bool` |
//! | `int` in `i64`/`u64` range | any integer type that holds it (else a range error) | `i8`…`u64` | `int` |
//! | `int` beyond 64 bits | `i128`/`u128` exactly; `Value` exactly with the `arbitrary_precision` feature, otherwise an error — never a float | `i128`/`u128` | `int`, exact |
//! | `float` | `f64`/`f32`; `Value` keeps it a float (`1.0` stays `1.0`, `-0.0` keeps its sign) | `f32`/`f64` | `float` |
//! | `float` NaN, ±Infinity | `f64`/`f32` fields receive them; `Value` (and other non-float targets) is an error, since `Value` cannot hold them and would silently make them `null` | NaN, ±Infinity | `float` (the runtime writes `NaN`, `Infinity`) |
//! | `str` | `String`, `&str`/`Cow<str>` borrowed from the object, `char`, unit enum variants; a lone surrogate is an error | `str`, `char` | `str` |
//! | `bytes`, `bytearray` | serde bytes (`serde_bytes::ByteBuf`, `&[u8]` borrowed from `bytes`) | serde bytes | `bytes` (returned from a handler: sent raw, as the runtime does) |
//! | `list`, `tuple` | sequences, tuples, tuple structs | sequences, tuples, tuple structs | `list` |
//! | `dict` | maps and structs, **in key order** | maps, structs | `dict`, in field/entry order |
//! | `dict` keys | `str` as is; `int`, `float`, `bool`, `None` keys as their JSON spelling (`"1"`, `"1.5"`, `"true"`, `"null"`), as `json.dumps` writes them (keys spelled alike, `1` and `"1"`, keep the later value at the first one's place, as `json.loads(json.dumps(d))` does); other keys are a `TypeError` | string, number, bool and unit-variant keys | `str` |
//! | `decimal.Decimal` | integer targets when whole; `f64` targets rounded; `Value`: integer when whole, float when a float holds it exactly, every digit with `arbitrary_precision`, else an error | — (`Value` numbers under `arbitrary_precision` that a float would round) | `decimal.Decimal`, written digit for digit by the runtime |
//! | `set`, `datetime`, other objects | `TypeError` naming the path | | |
//! | nesting deeper than [`convert::max_depth`] (default 128), cycles | an error naming the path, both directions | | |
//!
//! A handler may also answer with JSON text it made itself: a `Box<serde_json::value::RawValue>`
//! (anywhere in the response) becomes a `simplejson.RawJSON`, which the runtime's encoder
//! writes as it is — for large responses, faster than building Python objects for the runtime
//! to encode again. (Without simplejson, e.g. called from plain Python, it becomes the objects
//! `json.loads` makes of the text.)
//!
//! A `serde_json::Value` handler that hands strings of its event back unchanged (an echo, a
//! body passed through, record IDs) answers with the event's own `str` objects, not copies:
//! `str` is immutable, so only `is` can tell, and a string changed in any way (even in place,
//! at the same length) comes back changed — the text is compared, not just where it lives.
//!
//! Enums are externally tagged, as in serde_json (`"Unit"`, `{"Newtype": 1}`). Subclasses of
//! `str`, `int`, `float`, `dict`, `list` and `tuple` (`IntEnum`, `OrderedDict`, named tuples)
//! convert as their base type, without calling any of their methods. An `OrderedDict`
//! converts in its own order (after `move_to_end()` too), as `json.dumps` writes it.
//!
//! Every conversion error names the path into the event: `Records[3].body: invalid type:
//! integer `5`, expected a string`.
//!
//! ## Errors
//!
//! The runtime reports a failed invocation as `{"errorType": type(exc).__name__,
//! "errorMessage": str(exc)}`. pylambda raises:
//!
//! | failure | exception class (= `errorType`) | message |
//! |---|---|---|
//! | the handler returns `Err(e)` | `Diagnostic::from(e).error_type` (e.g. `ValidationError`; by default the error's Rust type name, as `lambda_runtime` does) | `error_message` |
//! | the event does not fit the handler's type | `DeserializeError` (a `ValueError`) | `path: what is wrong` |
//! | the event holds a non-JSON object (`set`, `datetime`, ...) | `TypeError` | `path: object of type ... cannot be converted ...` |
//! | the response cannot be converted | `SerializeError` (a `ValueError`) | `path: what is wrong` |
//! | the handler panics | `RustPanic` | the panic message; the process keeps serving |
//! | the init function fails or panics | its `error_type`, or `RustPanic`; the import fails | its message |
//!
//! ## Logging, tracing, Python interop
//!
//! * `log` (and, with the `tracing` feature, `tracing`) records go to Python's `logging`, so
//!   the runtime formats them (`AWS_LAMBDA_LOG_FORMAT=JSON`: one JSON line with the
//!   `requestId`) and filters them (`AWS_LAMBDA_LOG_LEVEL`); a disabled record costs no Python
//!   work. See [`logging`].
//! * [`Context::xray_trace_id`] is the invocation's X-Ray trace header.
//! * [`function`] exports plain Rust functions for Python code to call
//!   (`"checksum" => pylambda::function(checksum)` in [`lambda!`]). See [`interop`].
//!
//! ## Features
//!
//! * `async` (default): `async fn` handlers, run on a Tokio current-thread runtime created on
//!   first use.
//! * `log` (default): the `log` bridge ([`logging`]).
//! * `tracing`: the `tracing` bridge ([`logging`]).
//! * `arbitrary_precision`: exact big integers and `Decimal`s in `serde_json::Value`.

#![warn(missing_docs)]
// Every `unsafe` block lives in `ffi`, which allows it; anywhere else it is an error.
#![deny(unsafe_code)]

/// With the `mimalloc` feature (on by default), the module's Rust allocations use mimalloc:
/// converting events allocates once per string and per map, and glibc's allocator was a
/// quarter of an identity round trip's time (bench/convert). Python's own allocations are
/// untouched. Disable the feature to set your own global allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod context;
pub mod convert;
mod entry;
mod error;
mod event;
mod ffi;
pub mod handler;
pub mod interop;
pub mod logging;
mod macros;
#[cfg(feature = "async")]
mod runtime;

pub use context::{ClientApplication, ClientContext, CognitoIdentity, Config, Context};
pub use error::{
    Diagnostic, Error, DESERIALIZE_ERROR_TYPE, PANIC_ERROR_TYPE, SERIALIZE_ERROR_TYPE,
};
pub use event::LambdaEvent;
pub use handler::Handler;
pub use interop::function;

/// Whether the Tokio runtime for async handlers has been created (it is created by the first
/// async invocation, never at import).
#[cfg(feature = "async")]
pub fn async_runtime_started() -> bool {
    runtime::started()
}

/// Items the macros expand to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::entry::{export, init_fn, Export};
    pub use crate::ffi::module_init;
    pub use crate::ffi::RawObject;

    /// Raw-pointer access to the conversion engine, for the crate's own integration tests.
    pub use crate::ffi::testing;

    /// A `&'static CStr` from a `concat!(..., "\0")` literal.
    pub fn cstr(s: &'static str) -> &'static std::ffi::CStr {
        std::ffi::CStr::from_bytes_with_nul(s.as_bytes())
            .expect("pylambda: module and handler names must not contain NUL")
    }
}
