//! The invocation context, as plain Rust.
//!
//! Field names follow `lambda_runtime::Context` where the two overlap (`request_id`,
//! `deadline`, `invoked_function_arn`, `xray_trace_id`, `client_context`, `identity`,
//! `env_config`), so a handler ports between pylambda and the official Rust runtime; accessor
//! methods carry the Python runtime's names (`aws_request_id()`, `function_name()`,
//! `get_remaining_time_in_millis()`) for people porting a Python function.
//!
//! A `Context` is read from the runtime's `LambdaContext` object before the handler runs (the
//! handler runs without the GIL, so it cannot look at Python objects). In unit tests build one
//! directly:
//!
//! ```
//! use pylambda::Context;
//!
//! use pylambda::Config;
//!
//! let ctx = Context {
//!     request_id: "req-1".into(),
//!     env_config: Config { function_name: "my-fn".into(), ..Config::default() },
//!     ..Context::default()
//! };
//! assert_eq!(ctx.aws_request_id(), "req-1");
//! assert_eq!(ctx.function_name(), "my-fn");
//! ```

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::ffi::{IntValue, Kind, PyRef};

/// What the runtime tells a handler about the invocation and the function.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// The request id (`context.aws_request_id` in Python).
    pub request_id: String,
    /// When the invocation times out, in milliseconds since the Unix epoch.
    pub deadline: u64,
    /// The ARN used to invoke the function (with a version or alias when one was used).
    pub invoked_function_arn: String,
    /// The X-Ray trace header of this invocation (`_X_AMZN_TRACE_ID`), when tracing is on.
    pub xray_trace_id: Option<String>,
    /// Mobile SDK client context, when the caller sent one.
    pub client_context: Option<ClientContext>,
    /// Amazon Cognito identity, when the caller sent one.
    pub identity: Option<CognitoIdentity>,
    /// The function's configuration (from the runtime environment).
    pub env_config: Config,
    /// The tenant id of a multi-tenant function's invocation.
    pub tenant_id: Option<String>,
}

/// The function's configuration, as in `lambda_runtime::Config`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// `AWS_LAMBDA_FUNCTION_NAME`
    pub function_name: String,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    pub memory: i32,
    /// `AWS_LAMBDA_FUNCTION_VERSION`
    pub version: String,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`
    pub log_stream: String,
    /// `AWS_LAMBDA_LOG_GROUP_NAME`
    pub log_group: String,
}

/// Client context sent by the AWS Mobile SDK, as in `lambda_runtime::ClientContext`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientContext {
    /// Information about the client application.
    pub client: ClientApplication,
    /// Custom values set by the client application.
    pub custom: HashMap<String, String>,
    /// Environment information provided by the SDK (`context.client_context.env`).
    pub environment: HashMap<String, String>,
}

/// The client application of a [`ClientContext`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientApplication {
    /// `client.installation_id`
    pub installation_id: String,
    /// `client.app_title`
    pub app_title: String,
    /// `client.app_version_name`
    pub app_version_name: String,
    /// `client.app_version_code`
    pub app_version_code: String,
    /// `client.app_package_name`
    pub app_package_name: String,
}

/// Cognito identity of the caller, as in `lambda_runtime::CognitoIdentity`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CognitoIdentity {
    /// `identity.cognito_identity_id`
    pub identity_id: String,
    /// `identity.cognito_identity_pool_id`
    pub identity_pool_id: String,
}

impl Context {
    /// When the invocation times out.
    pub fn deadline(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.deadline)
    }

    /// Time left before the invocation times out (zero once it has passed).
    pub fn remaining_time(&self) -> Duration {
        self.deadline()
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    }

    /// Milliseconds left, as Python's `context.get_remaining_time_in_millis()`.
    pub fn get_remaining_time_in_millis(&self) -> u64 {
        self.remaining_time().as_millis() as u64
    }

    /// `context.aws_request_id`
    pub fn aws_request_id(&self) -> &str {
        &self.request_id
    }

    /// `context.function_name`
    pub fn function_name(&self) -> &str {
        &self.env_config.function_name
    }

    /// `context.function_version`
    pub fn function_version(&self) -> &str {
        &self.env_config.version
    }

    /// `context.memory_limit_in_mb` (a number here; Python has the environment's string).
    pub fn memory_limit_in_mb(&self) -> i32 {
        self.env_config.memory
    }

    /// `context.log_group_name`
    pub fn log_group_name(&self) -> &str {
        &self.env_config.log_group
    }

    /// `context.log_stream_name`
    pub fn log_stream_name(&self) -> &str {
        &self.env_config.log_stream
    }

    /// Reads the runtime's `LambdaContext` (awslambdaric's class, or any object with the same
    /// attributes). Missing attributes leave defaults: handlers called from plain Python code
    /// with a partial context still run.
    pub(crate) fn from_python(obj: Option<PyRef<'_>>) -> Context {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Context {
                xray_trace_id: xray_trace_id(),
                ..Context::default()
            };
        };
        let string = |name: &'static std::ffi::CStr| obj.getattr_string(name);
        Context {
            request_id: string(c"aws_request_id").unwrap_or_default(),
            deadline: deadline_ms(obj),
            invoked_function_arn: string(c"invoked_function_arn").unwrap_or_default(),
            xray_trace_id: xray_trace_id(),
            client_context: obj
                .getattr(c"client_context")
                .and_then(|c| client_context(c.borrow(obj.py()))),
            identity: obj
                .getattr(c"identity")
                .and_then(|i| identity(i.borrow(obj.py()))),
            env_config: Config {
                function_name: string(c"function_name").unwrap_or_default(),
                memory: string(c"memory_limit_in_mb")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(0),
                version: string(c"function_version").unwrap_or_default(),
                log_stream: string(c"log_stream_name").unwrap_or_default(),
                log_group: string(c"log_group_name").unwrap_or_default(),
            },
            tenant_id: string(c"tenant_id"),
        }
    }
}

/// The deadline: awslambdaric keeps it in `_epoch_deadline_time_in_ms`; other context objects
/// may only offer `get_remaining_time_in_millis()`, which we do not call (it would run Python
/// code), so they get no deadline.
fn deadline_ms(obj: PyRef<'_>) -> u64 {
    let Some(value) = obj.getattr(c"_epoch_deadline_time_in_ms") else {
        return 0;
    };
    let value = value.borrow(obj.py());
    match value.kind() {
        Kind::Int => match value.as_i64() {
            IntValue::I64(v) => v.max(0) as u64,
            IntValue::U64(v) => v,
            IntValue::Big => 0,
        },
        Kind::Str => value
            .as_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

/// The runtime client sets `_X_AMZN_TRACE_ID` for each invocation (and removes it when the
/// invocation has none).
fn xray_trace_id() -> Option<String> {
    std::env::var("_X_AMZN_TRACE_ID")
        .ok()
        .filter(|s| !s.is_empty())
}

fn identity(obj: PyRef<'_>) -> Option<CognitoIdentity> {
    if obj.is_none() {
        return None;
    }
    let identity_id = obj.getattr_string(c"cognito_identity_id");
    let identity_pool_id = obj.getattr_string(c"cognito_identity_pool_id");
    if identity_id.is_none() && identity_pool_id.is_none() {
        return None;
    }
    Some(CognitoIdentity {
        identity_id: identity_id.unwrap_or_default(),
        identity_pool_id: identity_pool_id.unwrap_or_default(),
    })
}

fn client_context(obj: PyRef<'_>) -> Option<ClientContext> {
    if obj.is_none() {
        return None;
    }
    let py = obj.py();
    let client = obj.getattr(c"client").and_then(|c| {
        let c = c.borrow(py);
        (!c.is_none()).then(|| ClientApplication {
            installation_id: c.getattr_string(c"installation_id").unwrap_or_default(),
            app_title: c.getattr_string(c"app_title").unwrap_or_default(),
            app_version_name: c.getattr_string(c"app_version_name").unwrap_or_default(),
            app_version_code: c.getattr_string(c"app_version_code").unwrap_or_default(),
            app_package_name: c.getattr_string(c"app_package_name").unwrap_or_default(),
        })
    });
    let map = |name: &'static std::ffi::CStr| -> HashMap<String, String> {
        let Some(value) = obj.getattr(name) else {
            return HashMap::new();
        };
        let value = value.borrow(py);
        if value.kind() != Kind::Dict {
            return HashMap::new();
        }
        let map: serde_json::Map<String, serde_json::Value> =
            crate::convert::from_python(value).unwrap_or_default();
        map.into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect()
    };
    Some(ClientContext {
        client: client.unwrap_or_default(),
        custom: map(c"custom"),
        environment: map(c"env"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_counts_down_to_zero() {
        let mut ctx = Context::default();
        assert_eq!(ctx.remaining_time(), Duration::ZERO);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        ctx.deadline = now + 60_000;
        let left = ctx.get_remaining_time_in_millis();
        assert!(left > 58_000 && left <= 60_000, "{left}");
    }

    #[test]
    fn python_names_read_the_lambda_runtime_fields() {
        let ctx = Context {
            request_id: "r".into(),
            env_config: Config {
                function_name: "f".into(),
                memory: 512,
                version: "$LATEST".into(),
                log_stream: "s".into(),
                log_group: "g".into(),
            },
            ..Context::default()
        };
        assert_eq!(
            (
                ctx.aws_request_id(),
                ctx.function_name(),
                ctx.function_version()
            ),
            ("r", "f", "$LATEST")
        );
        assert_eq!(
            (
                ctx.memory_limit_in_mb(),
                ctx.log_stream_name(),
                ctx.log_group_name()
            ),
            (512, "s", "g")
        );
    }
}
