//! From `PyInit_<module>` to a finished invocation: building the module, parsing the call,
//! converting the event, running the handler without the GIL, converting the response — and
//! turning every way that can fail into exactly one Python exception.
//!
//! Data flows one way: runtime → [`invoke`] → `convert::from_python` → handler →
//! `convert::to_python` → runtime. Errors are converted once, here.

use std::collections::HashMap;
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use crate::convert::{self, ErrorKind, EventStrings};
use crate::error::{
    panic_message, Diagnostic, DESERIALIZE_ERROR_TYPE, PANIC_ERROR_TYPE, SERIALIZE_ERROR_TYPE,
};
use crate::ffi::{self, CallArgs, ExceptionBase, GilCell, PyOwned, PyRef, Python, Raise};
use crate::handler::{Handler, InitFn};
use crate::Context;

/// One function the module exports, made by [`export`] (the `lambda!` macro calls it).
pub struct Export {
    name: &'static CStr,
    callable: Box<ffi::Callable>,
}

impl Export {
    /// An export made elsewhere in the crate (`crate::interop` for plain functions).
    pub(crate) fn new(name: &'static CStr, callable: Box<ffi::Callable>) -> Export {
        Export { name, callable }
    }
}

/// What `lambda!` can export under a name: a [`Handler`], or a plain function wrapped by
/// [`crate::function`]. `M` only tells the impls apart, as in [`Handler`].
pub trait Exportable<M> {
    /// The module function that runs `self`.
    fn into_export(self, name: &'static CStr) -> Export;
}

/// Marker for handlers in [`Exportable`].
pub struct HandlerExport<M>(std::marker::PhantomData<M>);

impl<M, H: Handler<M>> Exportable<HandlerExport<M>> for H {
    /// Makes the handler callable from Python as `name(event, context)`.
    fn into_export(self, name: &'static CStr) -> Export {
        Export {
            name,
            callable: Box::new(move |py: Python<'_>, args: &CallArgs<'_>| {
                invoke(&self, py, args).map_err(|failure| failure.into_raise(py))
            }),
        }
    }
}

/// Makes a handler (or a [`crate::function`]) callable from Python as `name`.
pub fn export<M, X: Exportable<M>>(name: &'static CStr, exported: X) -> Export {
    exported.into_export(name)
}

/// Everything that can make an invocation (or the import) fail.
pub(crate) enum Failure {
    /// The handler returned `Err`.
    Handler(Diagnostic),
    /// The init function returned `Err`.
    Init(Diagnostic),
    /// The event does not convert to the handler's event type.
    Event(convert::Error),
    /// The response does not convert to Python objects.
    Response(convert::Error),
    /// The handler or init function panicked.
    Panic(String),
    /// The function was called with the wrong arguments.
    Usage(String),
}

impl Failure {
    pub(crate) fn into_raise(self, py: Python<'_>) -> Raise {
        let (class, message) = match self {
            Failure::Handler(d) | Failure::Init(d) => (
                exception_class(py, &d.error_type, ExceptionBase::Exception),
                d.error_message,
            ),
            Failure::Event(e) => (
                conversion_class(py, &e, DESERIALIZE_ERROR_TYPE),
                e.to_string(),
            ),
            Failure::Response(e) => (
                conversion_class(py, &e, SERIALIZE_ERROR_TYPE),
                e.to_string(),
            ),
            Failure::Panic(message) => (
                exception_class(py, PANIC_ERROR_TYPE, ExceptionBase::Exception),
                message,
            ),
            Failure::Usage(message) => (
                ffi::builtin_exception(py, ExceptionBase::TypeError),
                message,
            ),
        };
        Raise { class, message }
    }
}

/// Objects of types JSON cannot carry raise the built-in `TypeError` (as `json.dumps` does);
/// data that does not fit raises `DeserializeError`/`SerializeError` (subclasses of
/// `ValueError`).
fn conversion_class(py: Python<'_>, e: &convert::Error, name: &str) -> PyOwned {
    match e.kind() {
        ErrorKind::UnsupportedType => ffi::builtin_exception(py, ExceptionBase::TypeError),
        _ => exception_class(py, name, ExceptionBase::ValueError),
    }
}

/// The module's name, for the `__module__` of the exception classes we create.
static MODULE_NAME: OnceLock<String> = OnceLock::new();

/// One class per `(errorType, base)`, created on first use and reused, so `except` clauses
/// and `isinstance` checks see the same class every time.
static CLASSES: GilCell<Option<HashMap<(String, ExceptionBase), PyOwned>>> = GilCell::new(None);

fn exception_class(py: Python<'_>, name: &str, base: ExceptionBase) -> PyOwned {
    let key = (name.to_owned(), base);
    if let Some(class) = CLASSES.with(py, |classes| {
        classes
            .as_ref()
            .and_then(|c| c.get(&key))
            .map(|c| c.clone_ref(py))
    }) {
        return class;
    }
    let module = MODULE_NAME.get().map(String::as_str).unwrap_or("pylambda");
    let class = match ffi::new_exception_class(py, module, name, base) {
        Ok(class) => class,
        // Could not make the class (out of memory?): the base class still reports the message.
        Err(_) => return ffi::builtin_exception(py, base),
    };
    let stored = class.clone_ref(py);
    CLASSES.with(py, |classes| {
        classes.get_or_insert_with(HashMap::new).insert(key, stored)
    });
    class
}

/// The arguments `(event, context)`, positional or by keyword, as the runtime and Python
/// callers pass them. The context may be omitted (`None`).
fn parse_args<'py>(args: &CallArgs<'py>) -> Result<(PyRef<'py>, Option<PyRef<'py>>), Failure> {
    let mut event = args.positional(0);
    let mut context = args.positional(1);
    if args.positional_len() > 2 {
        return Err(Failure::Usage(format!(
            "handler takes 2 positional arguments (event, context) but {} were given",
            args.positional_len()
        )));
    }
    for (name, value) in args.keywords() {
        let slot = match name {
            "event" => &mut event,
            "context" => &mut context,
            other => {
                return Err(Failure::Usage(format!(
                    "handler got an unexpected keyword argument '{other}'"
                )))
            }
        };
        if slot.is_some() {
            return Err(Failure::Usage(format!(
                "handler got multiple values for argument '{name}'"
            )));
        }
        *slot = Some(value);
    }
    let event =
        event.ok_or_else(|| Failure::Usage("handler missing required argument 'event'".into()))?;
    Ok((event, context))
}

/// One invocation.
fn invoke<M, H: Handler<M>>(
    handler: &H,
    py: Python<'_>,
    args: &CallArgs<'_>,
) -> Result<PyOwned, Failure> {
    let (event, context) = parse_args(args)?;
    let invocation = context.filter(|c| ffi::is_runtime_context(*c));
    let mut strings = EventStrings::new();
    let event: H::Event =
        convert::from_python_owned(event, &mut strings).map_err(Failure::Event)?;
    let context = if H::TAKES_CONTEXT {
        Context::from_python(context)
    } else {
        Context::default()
    };
    run_user_code(py, &mut strings, invocation, move || {
        handler.run(event, context)
    })
}

/// Runs user code (a handler, or an exported function) and converts what it returns: the
/// second half of every call, shared by [`invoke`] and `interop`'s functions. `strings` are
/// the event's (or arguments'), kept across the call without being touched; `invocation` is
/// the runtime client's context object, when the runtime client is the caller (see
/// `convert::to_python_owned`).
///
/// The code runs without the GIL, and a panic in it is caught before the GIL is taken back,
/// so the process keeps serving; Rust's buffered stdout is flushed before Python writes more.
pub(crate) fn run_user_code<'py, R: serde::Serialize + 'static>(
    py: Python<'py>,
    strings: &mut EventStrings<'_>,
    invocation: Option<PyRef<'py>>,
    user_code: impl FnOnce() -> Result<R, Diagnostic>,
) -> Result<PyOwned, Failure> {
    // Python code may have changed the log level since the last call.
    crate::logging::refresh(py);
    let outcome = ffi::allow_threads(py, move || {
        let outcome = catch_unwind(AssertUnwindSafe(user_code));
        crate::logging::flush_stdout();
        outcome
    });
    let response = match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(diagnostic)) => return Err(Failure::Handler(diagnostic)),
        Err(payload) => return Err(Failure::Panic(panic_message(&*payload))),
    };
    convert::to_python_owned(py, response, strings, invocation).map_err(Failure::Response)
}

/// Raised for a panic outside the handler (in our own code or a `Serialize` impl).
pub(crate) fn on_panic(py: Python<'_>, payload: Box<dyn std::any::Any + Send>) -> Raise {
    Failure::Panic(panic_message(&*payload)).into_raise(py)
}

/// What an init function looks like once boxed by [`init_fn`].
pub type BoxedInit = Box<dyn FnOnce() -> Result<(), Diagnostic> + Send>;

/// Builds the module `PyInit_<module>` returns (`ffi::module_init` calls it, with the GIL):
/// checks the interpreter, installs logging, runs the init function, creates the functions.
pub(crate) fn build_module(
    py: Python<'_>,
    name: &'static CStr,
    exports: impl FnOnce() -> Vec<Export>,
    init: Option<BoxedInit>,
) -> Result<PyOwned, Raise> {
    ffi::check_object_layout(py).map_err(|message| Raise {
        class: ffi::builtin_exception(py, ExceptionBase::ImportError),
        message,
    })?;
    let module_name = name.to_str().unwrap_or("pylambda");
    let _ = MODULE_NAME.set(module_name.to_owned());
    // Here, not mid-conversion: on CPython 3.6-3.9 it imports `gc`.
    ffi::prepare_gc_pause(py);
    // Before the init function, so that its log records reach Python too.
    crate::logging::init(py);
    if cfg!(panic = "abort") {
        // Nothing unwinds to be caught: a panic would end the runtime's process.
        ffi::warn_runtime(py, &panic_abort_warning(module_name))
            .map_err(|e| python_failure(py, e))?;
    }
    if let Some(init) = init {
        let outcome = ffi::allow_threads(py, || catch_unwind(AssertUnwindSafe(init)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(diagnostic)) => return Err(Failure::Init(diagnostic).into_raise(py)),
            Err(payload) => return Err(Failure::Panic(panic_message(&*payload)).into_raise(py)),
        }
    }
    let functions = exports()
        .into_iter()
        .map(|e| ffi::Function {
            name: e.name,
            doc: c"",
            callable: e.callable,
        })
        .collect();
    let module = ffi::create_module(py, name, c"", functions, on_panic)
        .map_err(|e| python_failure(py, e))?;
    // The exception classes users may want to catch in Python.
    for (attr, class_name, base) in [
        (c"RustPanic", PANIC_ERROR_TYPE, ExceptionBase::Exception),
        (
            c"DeserializeError",
            DESERIALIZE_ERROR_TYPE,
            ExceptionBase::ValueError,
        ),
        (
            c"SerializeError",
            SERIALIZE_ERROR_TYPE,
            ExceptionBase::ValueError,
        ),
    ] {
        let class = exception_class(py, class_name, base);
        ffi::set_attr(&module, attr, &class).map_err(|e| python_failure(py, e))?;
    }
    Ok(module)
}

fn python_failure(py: Python<'_>, e: ffi::PyErr) -> Raise {
    Raise {
        class: ffi::builtin_exception(py, ExceptionBase::ImportError),
        message: e.to_string(),
    }
}

/// What a module built with `panic = "abort"` says when imported.
fn panic_abort_warning(module_name: &str) -> String {
    format!(
        "{module_name} was built with panic = \"abort\": a panic in a handler will end this \
         process (Lambda reports Runtime.ExitError and starts a new one, with a cold start) \
         instead of becoming a RustPanic error; build with Cargo's default, panic = \"unwind\", \
         to keep serving"
    )
}

/// Boxes an init function for `module_init`.
pub fn init_fn(init: impl InitFn) -> Option<BoxedInit> {
    Some(Box::new(move || init.run_init()))
}
