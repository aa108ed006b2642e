//! `libmulti`: one module, several handlers (`handler`, `health`, `stats`, `greet_async`,
//! `whoami`, and `ported`/`ported_async` in `lambda_runtime`'s form) and an init function
//! that runs once, at import — Lambda's INIT phase.
//!
//! Init reads the optional configuration `MULTI_CONFIG` (JSON, e.g. `{"greeting": "Hi"}`)
//! from the environment. Invalid JSON fails the import with errorType `ConfigError`, as a
//! function with a broken configuration should fail: before its first invocation.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use pylambda::{Context, Diagnostic, Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The configuration init loads.
#[derive(Debug, Deserialize)]
pub struct Config {
    #[serde(default = "default_greeting")]
    pub greeting: String,
}

fn default_greeting() -> String {
    "Hello".into()
}

static CONFIG: OnceLock<Config> = OnceLock::new();
/// When init ran (ms since the epoch): the same for every invocation of a process.
static INIT_AT_MS: AtomicU64 = AtomicU64::new(0);
static INVOCATIONS: AtomicU64 = AtomicU64::new(0);

/// Runs at import.
pub fn init() -> Result<(), Diagnostic> {
    let config = match std::env::var("MULTI_CONFIG") {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            Diagnostic::new(
                "ConfigError",
                format!("MULTI_CONFIG is not valid JSON: {e}"),
            )
        })?,
        Err(_) => Config {
            greeting: default_greeting(),
        },
    };
    let _ = CONFIG.set(config);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    INIT_AT_MS.store(now, Ordering::Relaxed);
    Ok(())
}

fn greeting() -> &'static str {
    CONFIG.get().map(|c| c.greeting.as_str()).unwrap_or("Hello")
}

/// The event of `handler`.
#[derive(Debug, Deserialize)]
pub struct Greet {
    pub name: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Greeting {
    pub message: String,
}

pub fn handler(event: Greet, _ctx: Context) -> Result<Greeting, Error> {
    INVOCATIONS.fetch_add(1, Ordering::Relaxed);
    Ok(Greeting {
        message: format!("{}, {}!", greeting(), event.name),
    })
}

/// A handler that ignores its event and context entirely.
pub fn health(_event: Value) -> Result<Value, Error> {
    Ok(json!({"status": "ok"}))
}

/// Shows that state lives for the life of the process (warm invocations share it).
pub fn stats(_event: Value, _ctx: Context) -> Result<Value, Error> {
    Ok(json!({
        "initAtMs": INIT_AT_MS.load(Ordering::Relaxed),
        "invocations": INVOCATIONS.load(Ordering::Relaxed),
        "asyncRuntimeStarted": pylambda::async_runtime_started(),
    }))
}

/// Returns the invocation's [`Context`] as Rust sees it.
pub fn whoami(_event: Value, ctx: Context) -> Result<Context, Error> {
    Ok(ctx)
}

/// An `async fn` handler: the Tokio runtime is created on its first call.
pub async fn greet_async(event: Greet, ctx: Context) -> Result<Greeting, Error> {
    Ok(Greeting {
        message: format!(
            "{}, {} (async, {})!",
            greeting(),
            event.name,
            ctx.request_id
        ),
    })
}

/// A handler as written for `lambda_runtime` (event and context in one `LambdaEvent`): the
/// body ports unchanged.
pub fn ported(event: LambdaEvent<Greet>) -> Result<Greeting, Error> {
    let (greet, context) = event.into_parts();
    Ok(Greeting {
        message: format!("{}, {} ({})!", greeting(), greet.name, context.request_id),
    })
}

/// The same, `async`, on a `Value`: `lambda_runtime`'s own example.
pub async fn ported_async(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (event, context) = event.into_parts();
    let first_name = event["firstName"].as_str().unwrap_or("world");
    Ok(json!({
        "message": format!("Hello, {first_name}!"),
        "functionName": context.env_config.function_name,
    }))
}

pylambda::lambda! {
    init = init,
    "handler" => handler,
    "health" => health,
    "stats" => stats,
    "greet_async" => greet_async,
    "whoami" => whoami,
    "ported" => ported,
    "ported_async" => ported_async,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_with_the_default_greeting() {
        let r = handler(
            Greet {
                name: "Ferris".into(),
            },
            Context::default(),
        )
        .unwrap();
        assert_eq!(r.message, "Hello, Ferris!");
    }

    #[test]
    fn ported_handlers_take_a_lambda_event() {
        let ctx = Context {
            request_id: "req-1".into(),
            ..Context::default()
        };
        let event = LambdaEvent::new(
            Greet {
                name: "Ferris".into(),
            },
            ctx,
        );
        assert_eq!(ported(event).unwrap().message, "Hello, Ferris (req-1)!");
    }

    #[test]
    fn health_is_ok() {
        assert_eq!(health(json!(null)).unwrap(), json!({"status": "ok"}));
    }
}
