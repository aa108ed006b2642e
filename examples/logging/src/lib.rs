//! `liblogging`: a handler's `log` and `tracing` records, formatted by the Python runtime.
//!
//! | handler | what it does |
//! |---|---|
//! | `handler` | one record per level (`error!` ... `trace!`), one with structured fields, one `tracing` event; returns the level the bridge lets through |
//! | `ordered` | interleaves `println!`, `eprintln!`, `print!` without a newline and log records |
//! | `threads` | logs from `{"threads": N}` worker threads while the handler waits for them |
//! | `async_threads` | an `async` handler whose records come from Tokio's blocking pool |
//! | `spam` | `{"count": N, "level": "debug"}`: N records at that level; returns nanoseconds per call |
//! | `init_logged` | whether the init function's record was logged (see `init`) |
//! | `background` | starts a detached thread that logs every millisecond (for interpreter exit) |

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use pylambda::{Context, Error};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

static INIT_RAN: AtomicBool = AtomicBool::new(false);

/// Runs at import: its record is bridged too (the bridge is installed before init runs).
pub fn init() -> Result<(), Error> {
    log::warn!("init: configuration loaded");
    INIT_RAN.store(true, Ordering::Relaxed);
    Ok(())
}

fn level_name() -> Value {
    match pylambda::logging::max_level() {
        Some(level) => json!(format!("{level:?}")),
        None => Value::Null,
    }
}

/// One record per level, one with fields, one `tracing` event.
pub fn handler(_event: Value, ctx: Context) -> Result<Value, Error> {
    log::error!("error from rust {}", ctx.request_id);
    log::warn!("warn from rust {}", ctx.request_id);
    log::info!("info from rust {}", ctx.request_id);
    log::debug!("debug from rust {}", ctx.request_id);
    log::trace!("trace from rust {}", ctx.request_id);
    log::info!(target: "orders::db", order_id = 42, shipped = true, weight = 1.5, carrier = "ups", level = "x"; "fields from rust");
    tracing::info!(order_id = 7, "tracing event from rust 100% done");
    Ok(json!({ "maxLevel": level_name(), "installed": pylambda::logging::installed() }))
}

/// `println!`, `eprintln!`, log records and a `print!` without a newline, in a known order.
pub fn ordered(_event: Value, _ctx: Context) -> Result<Value, Error> {
    println!("rust stdout 1");
    log::warn!("rust log 2");
    eprintln!("rust stderr 3");
    println!("rust stdout 4");
    log::warn!("rust log 5");
    print!("rust stdout 6 without newline");
    Ok(json!({}))
}

#[derive(Deserialize)]
pub struct Threads {
    pub threads: usize,
}

/// Records from other threads, while the handler (without the GIL) waits for them.
pub fn threads(event: Threads, _ctx: Context) -> Result<Value, Error> {
    let handles: Vec<_> = (0..event.threads)
        .map(|i| std::thread::spawn(move || log::warn!(target: "worker", "from thread {i}")))
        .collect();
    for handle in handles {
        handle.join().map_err(|_| "a worker panicked")?;
    }
    Ok(json!({ "threads": event.threads }))
}

/// Records from Tokio's blocking pool, inside an `async` handler.
pub async fn async_threads(event: Threads, _ctx: Context) -> Result<Value, Error> {
    for i in 0..event.threads {
        tokio::task::spawn_blocking(
            move || log::warn!(target: "blocking", "from blocking task {i}"),
        )
        .await?;
    }
    Ok(json!({ "threads": event.threads }))
}

#[derive(Deserialize)]
pub struct Spam {
    pub count: u64,
    pub level: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpamResult {
    pub count: u64,
    pub ns_per_call: f64,
}

/// `count` records at `level`, timed in Rust: what a (disabled) log call costs.
pub fn spam(event: Spam, _ctx: Context) -> Result<SpamResult, Error> {
    let level: log::Level = event
        .level
        .parse()
        .map_err(|_| format!("unknown level {}", event.level))?;
    let started = Instant::now();
    for i in 0..event.count {
        log::log!(level, "spam {i}");
    }
    let elapsed = started.elapsed().as_nanos() as f64;
    Ok(SpamResult {
        count: event.count,
        ns_per_call: elapsed / event.count.max(1) as f64,
    })
}

/// Starts a detached thread that logs every millisecond, forever: what happens to records
/// still being logged when Python exits.
pub fn background(_event: Value) -> Result<Value, Error> {
    std::thread::spawn(|| {
        for i in 0u64.. {
            log::warn!(target: "background", "tick {i}");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
    Ok(json!({}))
}

pub fn init_logged(_event: Value) -> Result<Value, Error> {
    Ok(json!({ "initRan": INIT_RAN.load(Ordering::Relaxed) }))
}

pylambda::lambda! {
    init = init,
    "handler" => handler,
    "ordered" => ordered,
    "threads" => threads,
    "async_threads" => async_threads,
    "spam" => spam,
    "init_logged" => init_logged,
    "background" => background,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_without_python_is_a_no_op() {
        // In a unit test no module was imported: no bridge, records go nowhere, nothing fails.
        let r = handler(json!({}), Context::default()).unwrap();
        assert_eq!(r, json!({"maxLevel": null, "installed": false}));
        let r = spam(
            Spam {
                count: 10,
                level: "info".into(),
            },
            Context::default(),
        )
        .unwrap();
        assert_eq!(r.count, 10);
    }
}
