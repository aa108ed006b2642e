//! Records of the [`log`](https://docs.rs/log) and [`tracing`](https://docs.rs/tracing)
//! crates, sent to Python's `logging`, so that the runtime formats them like any Python record.
//!
//! Lambda's Python runtime installs its handler on Python's root logger: with
//! `AWS_LAMBDA_LOG_FORMAT=JSON` it writes every record as one JSON line with `timestamp`,
//! `level`, `message`, `logger` and the invocation's `requestId`; with the default text format,
//! `[LEVEL]\t<time>\t<request id>\t<message>`; and `AWS_LAMBDA_LOG_LEVEL` sets the root
//! logger's level. A handler written in Rust only has to log:
//!
//! ```
//! use pylambda::{Context, Error};
//! use serde_json::Value;
//!
//! fn handler(event: Value, ctx: Context) -> Result<Value, Error> {
//!     log::info!("processing {} records", event["Records"].as_array().map_or(0, Vec::len));
//!     log::debug!(target: "orders::db", "connection pool warm");
//!     Ok(event)
//! }
//! # let _ = handler;
//! ```
//!
//! With `AWS_LAMBDA_LOG_FORMAT=JSON` and `AWS_LAMBDA_LOG_LEVEL=INFO` the first record becomes
//! `{"timestamp": "...", "level": "INFO", "message": "processing 3 records", "logger":
//! "my_function", "requestId": "..."}` and the second is dropped.
//!
//! # How it works, and what it costs
//!
//! * **Installed at import.** With the `log` feature (a default feature) the module's init
//!   installs a [`log::Log`] bridge before your init function runs, so records from init are
//!   bridged too. If a `log` logger is already installed, pylambda keeps it and does not fail;
//!   since a process has one `log` logger, to use another (`env_logger`, ...) build pylambda
//!   without the feature (`default-features = false, features = ["async"]`) and install yours
//!   from the init function. With the `tracing` feature, a `tracing` subscriber doing the same
//!   is installed as the global default (again only if none is set yet).
//! * **A disabled record costs no Python work.** The bridge reads the root logger's level (and
//!   `logging.disable()`) at import, and again before an invocation when a level changed since
//!   (it notices with one dict probe of the root logger's level cache, which `logging` empties on
//!   every `setLevel`/`disable`), and hands it to `log::set_max_level` and to tracing's level
//!   hint. `log::debug!` below that level is one atomic load and a compare in Rust.
//! * **An enabled record takes the GIL**, from whatever thread logged it (the handler's, which
//!   runs with the GIL released, or a worker thread), calls `logger.isEnabledFor`, then
//!   `logger.handle(logger.makeRecord(...))` on the Python logger named after the record's
//!   target, with the Rust file and line as `pathname` and `lineno`.
//! * **Output keeps its order.** Rust's buffered `stdout` is flushed before each record and
//!   after each invocation, so `println!` lines, log records and Python's `print` come out in
//!   the order they were written, and nothing of one invocation shows up in the next one's logs.
//!
//! # Levels
//!
//! | Rust | Python level of the record | passes when the root logger's level is |
//! |---|---|---|
//! | `error!` | `ERROR` (40) | `ERROR` or lower |
//! | `warn!` | `WARNING` (30) | `WARNING` or lower |
//! | `info!` | `INFO` (20) | `INFO` or lower |
//! | `debug!` | `DEBUG` (10) | `DEBUG` or lower |
//! | `trace!` | `DEBUG` (10): Python has no TRACE | below `DEBUG` (e.g. `NOTSET`), or `DEBUG` with `AWS_LAMBDA_LOG_LEVEL=TRACE` (which the runtime itself turns into `DEBUG`) |
//!
//! The level is the root logger's: a Python logger named after a target can make that target
//! *quieter* (`logging.getLogger("h2").setLevel("WARNING")`), not more verbose than the root.
//!
//! # Structured fields
//!
//! Key-value pairs become attributes of the Python `LogRecord` (as `extra=` would), which the
//! runtime's JSON format writes as keys of the line: `log::info!(order_id = 42; "shipped")` or
//! `tracing::info!(order_id = 42, "shipped")` gives `{..., "message": "shipped", "order_id":
//! 42}`. Integers, floats, booleans and strings keep their type; anything else is written with
//! `Display` (`log`) or `Debug` (`tracing`). A key that the record or the JSON line already uses
//! (`name`, `level`, `message`, `requestId`, ...) is prefixed with `rust_`.
//!
//! `tracing` spans are accepted and not recorded: events inside them are.

#[cfg(any(feature = "log", feature = "tracing"))]
pub use bridge::*;

/// Before an invocation, with the GIL held: picks up level changes made by Python code.
pub(crate) fn refresh(py: crate::ffi::Python<'_>) {
    #[cfg(any(feature = "log", feature = "tracing"))]
    bridge::refresh_level(py);
    #[cfg(not(any(feature = "log", feature = "tracing")))]
    let _ = py;
}

/// At import, before the user's init function: installs the bridges.
pub(crate) fn init(py: crate::ffi::Python<'_>) {
    #[cfg(any(feature = "log", feature = "tracing"))]
    bridge::install(py);
    #[cfg(not(any(feature = "log", feature = "tracing")))]
    let _ = py;
}

/// After the handler: Rust's `stdout` is line-buffered; a `print!` without a newline must not
/// leak into the next invocation's logs.
pub(crate) fn flush_stdout() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

#[cfg(any(feature = "log", feature = "tracing"))]
mod bridge {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use crate::ffi::{self, GilCell, IntValue, Kind, PyOwned, Python};

    /// Python's numeric levels.
    const DEBUG: i64 = 10;
    const INFO: i64 = 20;
    const WARNING: i64 = 30;
    const ERROR: i64 = 40;

    /// The most verbose level that reaches Python, as `log::LevelFilter as usize`:
    /// 0 off, 1 error, 2 warn, 3 info, 4 debug, 5 trace. Off until [`install`] reads Python's.
    static MAX_LEVEL: AtomicUsize = AtomicUsize::new(0);
    /// Whether `log::set_logger` accepted our bridge (so `log::set_max_level` is ours to set).
    static LOG_INSTALLED: AtomicBool = AtomicBool::new(false);
    /// Whether our tracing subscriber is the global default.
    static TRACING_INSTALLED: AtomicBool = AtomicBool::new(false);
    /// `AWS_LAMBDA_LOG_LEVEL=TRACE`, read at install.
    static TRACE_REQUESTED: AtomicBool = AtomicBool::new(false);

    /// The Python objects the bridge uses, created at import.
    struct State {
        get_logger: PyOwned,
        root: PyOwned,
        manager: PyOwned,
        /// Where `logging.disable(N)` keeps N: `Manager._disable` (3.7+, behind the `disable`
        /// property, a Python call), or on 3.6 the plain attribute `disable`. Chosen once, so
        /// no invocation looks up a missing attribute (an AttributeError made and cleared).
        disable_attr: &'static std::ffi::CStr,
        /// The root logger's `_cache` dict (Python 3.7+), which `logging` empties whenever a
        /// level changes anywhere (`setLevel`, `disable`): while it still holds our marker
        /// key, the level read last time is still right, and a refresh costs one dict probe.
        root_cache: Option<PyOwned>,
        /// The marker key (`str`, hashed once).
        marker: PyOwned,
        /// `logging.getLogger(target)` per target seen.
        loggers: HashMap<String, PyOwned>,
    }

    static STATE: GilCell<Option<State>> = GilCell::new(None);

    /// Whether pylambda's bridge is the process's `log` logger (it is not when another logger
    /// was installed first, or before the module was imported).
    ///
    /// ```
    /// // Outside of an imported module (a unit test, a doc test) nothing is installed:
    /// assert!(!pylambda::logging::installed());
    /// ```
    pub fn installed() -> bool {
        LOG_INSTALLED.load(Ordering::Relaxed) || TRACING_INSTALLED.load(Ordering::Relaxed)
    }

    /// The most verbose Rust level that currently reaches Python: the root logger's level, as
    /// read at import and before each invocation (see the [module docs](crate::logging) for
    /// the mapping). `None` means nothing is logged (no bridge installed, or Python logs
    /// nothing).
    ///
    /// ```
    /// assert_eq!(pylambda::logging::max_level(), None);
    /// ```
    pub fn max_level() -> Option<Level> {
        Level::from_index(MAX_LEVEL.load(Ordering::Relaxed))
    }

    /// A level of a Rust record, most severe first (the same order as `log::Level`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Level {
        /// `error!`
        Error = 1,
        /// `warn!`
        Warn,
        /// `info!`
        Info,
        /// `debug!`
        Debug,
        /// `trace!`
        Trace,
    }

    impl Level {
        fn from_index(i: usize) -> Option<Level> {
            Some(match i {
                1 => Level::Error,
                2 => Level::Warn,
                3 => Level::Info,
                4 => Level::Debug,
                5 => Level::Trace,
                _ => return None,
            })
        }

        /// The Python level a record of this level is logged at.
        fn python(self) -> i64 {
            match self {
                Level::Error => ERROR,
                Level::Warn => WARNING,
                Level::Info => INFO,
                Level::Debug | Level::Trace => DEBUG,
            }
        }

        fn enabled(self) -> bool {
            self as usize <= MAX_LEVEL.load(Ordering::Relaxed)
        }
    }

    pub(super) fn install(py: Python<'_>) {
        // Records may come from threads that outlive Python: stop them at exit, safely.
        if ffi::register_exit_gate(py).is_err() {
            let _ = ffi::PyErr::fetch();
        }
        let Ok(logging) = ffi::import_module(py, c"logging") else {
            let _ = ffi::PyErr::fetch();
            return;
        };
        let logging = logging.borrow(py);
        let (Some(get_logger), Some(root)) =
            (logging.getattr(c"getLogger"), logging.getattr(c"root"))
        else {
            let _ = ffi::PyErr::fetch();
            return;
        };
        let Some(manager) = root.borrow(py).getattr(c"manager") else {
            let _ = ffi::PyErr::fetch();
            return;
        };
        let trace = std::env::var("AWS_LAMBDA_LOG_LEVEL")
            .is_ok_and(|level| level.eq_ignore_ascii_case("TRACE"));
        TRACE_REQUESTED.store(trace, Ordering::Relaxed);
        let disable_attr = if manager.borrow(py).getattr(c"_disable").is_some() {
            c"_disable"
        } else {
            c"disable"
        };
        let root_cache = root
            .borrow(py)
            .getattr(c"_cache")
            .filter(|cache| cache.borrow(py).kind() == Kind::Dict);
        if root_cache.is_none() {
            let _ = ffi::PyErr::fetch();
        }
        STATE.with(py, |state| {
            *state = Some(State {
                get_logger,
                root,
                manager,
                disable_attr,
                root_cache,
                marker: ffi::new_str(py, "pylambda: level read"),
                loggers: HashMap::new(),
            })
        });
        let level = read_level(py);
        MAX_LEVEL.store(level, Ordering::Relaxed);
        #[cfg(feature = "log")]
        if log::set_logger(&log_bridge::LOGGER).is_ok() {
            LOG_INSTALLED.store(true, Ordering::Relaxed);
            log::set_max_level(log_bridge::filter(level));
        }
        #[cfg(feature = "tracing")]
        if tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(
            tracing_bridge::Subscriber::default(),
        ))
        .is_ok()
        {
            TRACING_INSTALLED.store(true, Ordering::Relaxed);
        }
    }

    /// Reads Python's effective threshold for the root logger and maps it to a level index,
    /// and marks the root logger's cache (see [`State::root_cache`]).
    fn read_level(py: Python<'_>) -> usize {
        let level = read_level_now(py);
        if let Some((cache, marker)) = STATE.with(py, |s| {
            let s = s.as_ref()?;
            Some((s.root_cache.as_ref()?.clone_ref(py), s.marker.clone_ref(py)))
        }) {
            let marked = ffi::dict_set(&cache, &marker, &ffi::new_bool(py, true));
            if marked.is_err() {
                let _ = ffi::PyErr::fetch();
            }
        }
        level
    }

    /// Whether no level changed since the last [`read_level`]: the root logger's cache still
    /// holds the marker (it is emptied on every level change; Python's own `isEnabledFor`
    /// calls refill it with other keys, hence a marker rather than a length).
    fn level_unchanged(py: Python<'_>) -> bool {
        STATE.with(py, |s| {
            s.as_ref().is_some_and(|s| {
                s.root_cache
                    .as_ref()
                    .is_some_and(|c| ffi::dict_contains(c.borrow(py), s.marker.borrow(py)))
            })
        })
    }

    fn read_level_now(py: Python<'_>) -> usize {
        let read = |name: &'static std::ffi::CStr, of: fn(&State) -> &PyOwned| -> Option<i64> {
            let obj = STATE.with(py, |s| s.as_ref().map(|s| of(s).clone_ref(py)))?;
            let value = obj.borrow(py).getattr(name)?;
            let value = value.borrow(py);
            match (value.kind(), value.as_i64()) {
                (Kind::Int | Kind::Bool, IntValue::I64(v)) => Some(v),
                _ => None,
            }
        };
        let Some(root_level) = read(c"level", |s| &s.root) else {
            let _ = ffi::PyErr::fetch();
            return 0;
        };
        // `logging.disable(N)` turns off every level <= N (see `State::disable_attr`).
        let disable_attr = STATE.with(py, |s| s.as_ref().map(|s| s.disable_attr));
        let disabled_up_to = disable_attr.and_then(|name| read(name, |s| &s.manager));
        let disabled_up_to = disabled_up_to.unwrap_or_else(|| {
            let _ = ffi::PyErr::fetch();
            0
        });
        let threshold = root_level.max(disabled_up_to.saturating_add(1));
        let trace = TRACE_REQUESTED.load(Ordering::Relaxed);
        match threshold {
            t if t < DEBUG => 5,
            t if t <= DEBUG && trace => 5,
            t if t <= DEBUG => 4,
            t if t <= INFO => 3,
            t if t <= WARNING => 2,
            t if t <= ERROR => 1,
            // CRITICAL and above: no Rust level maps there.
            _ => 0,
        }
    }

    pub(super) fn refresh_level(py: Python<'_>) {
        if !installed() || level_unchanged(py) {
            return;
        }
        let level = read_level(py);
        if MAX_LEVEL.swap(level, Ordering::Relaxed) != level {
            #[cfg(feature = "log")]
            if LOG_INSTALLED.load(Ordering::Relaxed) {
                log::set_max_level(log_bridge::filter(level));
            }
            #[cfg(feature = "tracing")]
            if TRACING_INSTALLED.load(Ordering::Relaxed) {
                // Callsites cache whether they are enabled; recompute after a change (rare).
                tracing_core::callsite::rebuild_interest_cache();
            }
        }
    }

    /// A structured field's value.
    pub(super) enum FieldValue {
        Int(i64),
        UInt(u64),
        Float(f64),
        Bool(bool),
        Str(String),
    }

    /// One record, as Rust produced it.
    pub(super) struct Record<'a> {
        pub level: Level,
        pub target: &'a str,
        pub message: String,
        pub file: Option<&'a str>,
        pub line: Option<u32>,
        pub fields: Vec<(String, FieldValue)>,
    }

    /// Names a field may not take: attributes every `LogRecord` has (`makeRecord` refuses to
    /// overwrite them), those the runtime's filter and formatter set, and the keys of its JSON
    /// line (which would hide the field).
    const RESERVED: &[&str] = &[
        "name",
        "msg",
        "args",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "exc_text",
        "stack_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "taskName",
        "message",
        "asctime",
        "aws_request_id",
        "tenant_id",
        "_frame_type",
        "timestamp",
        "level",
        "logger",
        "stackTrace",
        "errorType",
        "errorMessage",
        "requestId",
        "location",
        "tenantId",
    ];

    /// Sends one enabled record to Python, from any thread.
    /// (A record made while Python shuts down is dropped: see `ffi::with_gil`.)
    pub(super) fn emit(record: Record<'_>) {
        // Whatever Rust printed before this record goes out before it.
        super::flush_stdout();
        ffi::with_gil(|py| ffi::preserving_exception(py, || emit_with_gil(py, record)));
    }

    fn emit_with_gil(py: Python<'_>, record: Record<'_>) {
        // A record whose logging call fails (a broken handler, say) is dropped: Python's own
        // handlers already report their errors on stderr (`logging.raiseExceptions`).
        if handle(py, record).is_err() {
            let _ = ffi::PyErr::fetch();
        }
    }

    fn handle(py: Python<'_>, record: Record<'_>) -> Result<(), ffi::PyErr> {
        let logger = logger(py, record.target)?;
        let logger = logger.borrow(py);
        let level = ffi::new_int_i64(py, record.level.python());
        let enabled = ffi::call_method(logger, c"isEnabledFor", &[level.borrow(py)])?;
        if !ffi::is_truthy(enabled.borrow(py)) {
            return Ok(());
        }
        let name = ffi::new_str(py, record.target);
        let pathname = ffi::new_str(py, record.file.unwrap_or("(unknown file)"));
        let lineno = ffi::new_int_i64(py, record.line.map_or(0, i64::from));
        let msg = ffi::new_str(py, &record.message);
        // No arguments: a `%` in the message is not a format directive.
        let args = ffi::new_tuple(py, &[]);
        let none = ffi::none(py);
        let extra = if record.fields.is_empty() {
            ffi::none(py)
        } else {
            let extra = ffi::new_dict(py);
            for (key, value) in &record.fields {
                let key = if RESERVED.contains(&key.as_str()) {
                    format!("rust_{key}")
                } else {
                    key.clone()
                };
                let value = match value {
                    FieldValue::Int(v) => ffi::new_int_i64(py, *v),
                    FieldValue::UInt(v) => ffi::new_int_u64(py, *v),
                    FieldValue::Float(v) => ffi::new_float(py, *v),
                    FieldValue::Bool(v) => ffi::new_bool(py, *v),
                    FieldValue::Str(v) => ffi::new_str(py, v),
                };
                ffi::dict_set(&extra, &ffi::new_str(py, &key), &value)?;
            }
            extra
        };
        let log_record = ffi::call_method(
            logger,
            c"makeRecord",
            &[
                name.borrow(py),
                level.borrow(py),
                pathname.borrow(py),
                lineno.borrow(py),
                msg.borrow(py),
                args.borrow(py),
                none.borrow(py), // exc_info
                none.borrow(py), // func
                extra.borrow(py),
                none.borrow(py), // sinfo
            ],
        )?;
        ffi::call_method(logger, c"handle", &[log_record.borrow(py)])?;
        Ok(())
    }

    /// `logging.getLogger(target)`, cached per target.
    fn logger(py: Python<'_>, target: &str) -> Result<PyOwned, ffi::PyErr> {
        let cached = STATE.with(py, |state| {
            let state = state.as_ref()?;
            Some((
                state.loggers.get(target).map(|l| l.clone_ref(py)),
                state.get_logger.clone_ref(py),
            ))
        });
        let Some((cached, get_logger)) = cached else {
            return Err(ffi::PyErr::fetch());
        };
        if let Some(logger) = cached {
            return Ok(logger);
        }
        let name = ffi::new_str(py, target);
        let logger = ffi::call(get_logger.borrow(py), &[name.borrow(py)])?;
        let stored = logger.clone_ref(py);
        STATE.with(py, |state| {
            if let Some(state) = state.as_mut() {
                state.loggers.insert(target.to_owned(), stored);
            }
        });
        Ok(logger)
    }

    #[cfg(feature = "log")]
    mod log_bridge {
        use super::{emit, FieldValue, Level, Record};

        /// The `log::Log` implementation.
        pub(super) struct Logger;

        pub(super) static LOGGER: Logger = Logger;

        pub(super) fn filter(index: usize) -> log::LevelFilter {
            match index {
                1 => log::LevelFilter::Error,
                2 => log::LevelFilter::Warn,
                3 => log::LevelFilter::Info,
                4 => log::LevelFilter::Debug,
                5 => log::LevelFilter::Trace,
                _ => log::LevelFilter::Off,
            }
        }

        fn level(level: log::Level) -> Level {
            match level {
                log::Level::Error => Level::Error,
                log::Level::Warn => Level::Warn,
                log::Level::Info => Level::Info,
                log::Level::Debug => Level::Debug,
                log::Level::Trace => Level::Trace,
            }
        }

        /// Collects a record's key-value pairs.
        struct Fields(Vec<(String, FieldValue)>);

        impl<'kvs> log::kv::VisitSource<'kvs> for Fields {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'kvs>,
                value: log::kv::Value<'kvs>,
            ) -> Result<(), log::kv::Error> {
                let value = if let Some(v) = value.to_bool() {
                    FieldValue::Bool(v)
                } else if let Some(v) = value.to_i64() {
                    FieldValue::Int(v)
                } else if let Some(v) = value.to_u64() {
                    FieldValue::UInt(v)
                } else if let Some(v) = value.to_f64() {
                    FieldValue::Float(v)
                } else if let Some(v) = value.to_borrowed_str() {
                    FieldValue::Str(v.to_owned())
                } else {
                    FieldValue::Str(value.to_string())
                };
                self.0.push((key.as_str().to_owned(), value));
                Ok(())
            }
        }

        impl log::Log for Logger {
            fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
                level(metadata.level()).enabled()
            }

            fn log(&self, record: &log::Record<'_>) {
                if !self.enabled(record.metadata()) {
                    return;
                }
                let mut fields = Fields(Vec::new());
                let _ = record.key_values().visit(&mut fields);
                emit(Record {
                    level: level(record.level()),
                    target: record.target(),
                    message: record.args().to_string(),
                    file: record.file(),
                    line: record.line(),
                    fields: fields.0,
                });
            }

            fn flush(&self) {}
        }
    }

    #[cfg(feature = "tracing")]
    mod tracing_bridge {
        use std::fmt::Write as _;
        use std::sync::atomic::{AtomicU64, Ordering};

        use tracing_core::field::{Field, Visit};
        use tracing_core::span;
        use tracing_core::subscriber::Interest;
        use tracing_core::{Event, LevelFilter, Metadata};

        use super::{emit, FieldValue, Level, Record, MAX_LEVEL};

        /// The `tracing` subscriber: events become Python records; spans get ids and nothing else.
        #[derive(Default)]
        pub(super) struct Subscriber {
            next_span: AtomicU64,
        }

        fn level(level: &tracing_core::Level) -> Level {
            match *level {
                tracing_core::Level::ERROR => Level::Error,
                tracing_core::Level::WARN => Level::Warn,
                tracing_core::Level::INFO => Level::Info,
                tracing_core::Level::DEBUG => Level::Debug,
                _ => Level::Trace,
            }
        }

        /// Collects an event's `message` and other fields.
        #[derive(Default)]
        struct Fields {
            message: Option<String>,
            fields: Vec<(String, FieldValue)>,
        }

        impl Fields {
            fn push(&mut self, field: &Field, value: FieldValue) {
                self.fields.push((field.name().to_owned(), value));
            }
        }

        impl Visit for Fields {
            fn record_f64(&mut self, field: &Field, value: f64) {
                self.push(field, FieldValue::Float(value));
            }
            fn record_i64(&mut self, field: &Field, value: i64) {
                self.push(field, FieldValue::Int(value));
            }
            fn record_u64(&mut self, field: &Field, value: u64) {
                self.push(field, FieldValue::UInt(value));
            }
            fn record_bool(&mut self, field: &Field, value: bool) {
                self.push(field, FieldValue::Bool(value));
            }
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "message" {
                    self.message = Some(value.to_owned());
                } else {
                    self.push(field, FieldValue::Str(value.to_owned()));
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                let text = format!("{value:?}");
                if field.name() == "message" {
                    self.message = Some(text);
                } else {
                    self.push(field, FieldValue::Str(text));
                }
            }
        }

        impl tracing_core::Subscriber for Subscriber {
            fn register_callsite(&self, _metadata: &'static Metadata<'static>) -> Interest {
                // The level can change between invocations: ask `enabled` each time (one atomic
                // load); `max_level_hint` lets tracing skip disabled levels before that.
                Interest::sometimes()
            }

            fn enabled(&self, metadata: &Metadata<'_>) -> bool {
                level(metadata.level()).enabled()
            }

            fn max_level_hint(&self) -> Option<LevelFilter> {
                Some(match MAX_LEVEL.load(Ordering::Relaxed) {
                    1 => LevelFilter::ERROR,
                    2 => LevelFilter::WARN,
                    3 => LevelFilter::INFO,
                    4 => LevelFilter::DEBUG,
                    5 => LevelFilter::TRACE,
                    _ => LevelFilter::OFF,
                })
            }

            fn new_span(&self, _span: &span::Attributes<'_>) -> span::Id {
                span::Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1)
            }

            fn record(&self, _span: &span::Id, _values: &span::Record<'_>) {}

            fn record_follows_from(&self, _span: &span::Id, _follows: &span::Id) {}

            fn event(&self, event: &Event<'_>) {
                let metadata = event.metadata();
                let mut fields = Fields::default();
                event.record(&mut fields);
                let message = match fields.message.take() {
                    Some(message) => message,
                    // No message: the fields are the message, as tracing's fmt writes them.
                    None => {
                        let mut text = String::new();
                        for (key, value) in &fields.fields {
                            if !text.is_empty() {
                                text.push(' ');
                            }
                            let _ = match value {
                                FieldValue::Int(v) => write!(text, "{key}={v}"),
                                FieldValue::UInt(v) => write!(text, "{key}={v}"),
                                FieldValue::Float(v) => write!(text, "{key}={v}"),
                                FieldValue::Bool(v) => write!(text, "{key}={v}"),
                                FieldValue::Str(v) => write!(text, "{key}={v}"),
                            };
                        }
                        text
                    }
                };
                emit(Record {
                    level: level(metadata.level()),
                    target: metadata.target(),
                    message,
                    file: metadata.file(),
                    line: metadata.line(),
                    fields: fields.fields,
                });
            }

            fn enter(&self, _span: &span::Id) {}

            fn exit(&self, _span: &span::Id) {}
        }
    }
}
