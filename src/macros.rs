//! The `lambda!` macro: the module's `PyInit_*` function and its table of handlers.

/// Exports handlers from this crate's cdylib as a Python extension module.
///
/// The module is named after the library: `[lib] name = "lambda"` builds `liblambda.so`,
/// module `liblambda`, so the Lambda handler setting is `liblambda.handler`. Nothing else to
/// configure.
///
/// One handler, exported as `handler`:
///
/// ```
/// use pylambda::{Context, Error};
/// use serde_json::Value;
///
/// fn my_handler(event: Value, _ctx: Context) -> Result<Value, Error> {
///     Ok(event)
/// }
///
/// pylambda::lambda!(my_handler);
/// ```
///
/// A closure works too (annotate its argument types):
///
/// ```
/// pylambda::lambda!(|event: serde_json::Value, _ctx: pylambda::Context| {
///     Ok::<_, pylambda::Error>(event)
/// });
/// ```
///
/// Several handlers in one module (`liblambda.handler`, `liblambda.health`):
///
/// ```
/// # use pylambda::{Context, Error};
/// # use serde_json::{json, Value};
/// fn handle_order(order: Value, _ctx: Context) -> Result<Value, Error> {
///     Ok(json!({"accepted": order}))
/// }
///
/// fn health_check(_event: Value) -> Result<Value, Error> {
///     Ok(json!({"status": "ok"}))
/// }
///
/// pylambda::lambda! {
///     "handler" => handle_order,
///     "health" => health_check,
/// }
/// ```
///
/// An init function, run once when the runtime imports the module (Lambda's INIT phase); if
/// it returns `Err`, the import fails with its message:
///
/// ```
/// # use pylambda::{Context, Diagnostic, Error};
/// # use serde_json::Value;
/// # fn my_handler(event: Value, _ctx: Context) -> Result<Value, Error> { Ok(event) }
/// fn load_config() -> Result<(), Diagnostic> {
///     std::env::var("TABLE_NAME")
///         .map(|_| ())
///         .map_err(|_| Diagnostic::new("ConfigError", "TABLE_NAME is not set"))
/// }
///
/// pylambda::lambda!(my_handler, init = load_config);
/// // or, with several handlers: lambda! { init = load_config, "handler" => a, "health" => b }
/// ```
///
/// Plain Rust functions for Python code to call (`liblambda.checksum(b"...")`), next to the
/// handlers, wrapped by [`function`](crate::function) (see [`interop`](crate::interop)):
///
/// ```
/// # use pylambda::{Context, Error};
/// # use serde_json::Value;
/// # fn handler(event: Value, _ctx: Context) -> Result<Value, Error> { Ok(event) }
/// fn checksum(data: serde_bytes::ByteBuf) -> Result<u32, Error> {
///     Ok(data.iter().map(|b| u32::from(*b)).sum())
/// }
///
/// pylambda::lambda! {
///     "handler" => handler,
///     "checksum" => pylambda::function(checksum),
/// }
/// ```
///
/// Handlers may be `fn(E, Context)`, `fn(E)`, `fn(LambdaEvent<E>)` or their `async` forms,
/// returning `Result<R, Er>` (see [`Handler`](crate::Handler)). Each exported handler takes
/// `(event, context)` from Python, positionally or by keyword; `context` may be omitted.
#[macro_export]
macro_rules! lambda {
    (init = $init:expr, $($name:literal => $handler:expr),+ $(,)?) => {
        $crate::__lambda_module!(($crate::__private::init_fn($init)) $($name => $handler),+);
    };
    ($($name:literal => $handler:expr),+ $(,)?) => {
        $crate::__lambda_module!((::core::option::Option::None) $($name => $handler),+);
    };
    ($handler:expr, init = $init:expr $(,)?) => {
        $crate::__lambda_module!(($crate::__private::init_fn($init)) "handler" => $handler);
    };
    ($handler:expr $(,)?) => {
        $crate::__lambda_module!((::core::option::Option::None) "handler" => $handler);
    };
}

/// Generates `PyInit_lib<crate name>`; not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __lambda_module {
    (($init:expr) $($name:literal => $handler:expr),+) => {
        /// The module's entry point, called by CPython's import system.
        #[doc(hidden)]
        #[export_name = concat!("PyInit_lib", env!("CARGO_CRATE_NAME"))]
        pub unsafe extern "C" fn __pylambda_module_init() -> *mut $crate::__private::RawObject {
            // SAFETY: CPython calls PyInit_* with the GIL held, once per import.
            unsafe {
                $crate::__private::module_init(
                    $crate::__private::cstr(concat!("lib", env!("CARGO_CRATE_NAME"), "\0")),
                    || ::std::vec![$(
                        $crate::__private::export(
                            $crate::__private::cstr(concat!($name, "\0")),
                            $handler,
                        )
                    ),+],
                    $init,
                )
            }
        }
    };
}
