//! `libhello.handler`: the README's demo. A typed event in, a typed response out, and a look
//! at the invocation context.

use pylambda::{Context, Error};
use serde::{Deserialize, Serialize};

/// The event: `{"name": "Ferris"}` (the name may be left out).
#[derive(Debug, Deserialize)]
pub struct Request {
    #[serde(default)]
    pub name: Option<String>,
}

/// The response.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub message: String,
    pub request_id: String,
    pub function_name: String,
    pub memory_limit_in_mb: i32,
    pub remaining_time_ms: u64,
}

/// Greets the caller, and says where it runs.
pub fn hello(event: Request, ctx: Context) -> Result<Response, Error> {
    let name = event.name.unwrap_or_else(|| "world".to_owned());
    if name.trim().is_empty() {
        return Err("name must not be blank".into());
    }
    Ok(Response {
        message: format!("Hello, {name}! This is Rust in the Python runtime."),
        request_id: ctx.request_id.clone(),
        function_name: ctx.function_name().to_owned(),
        memory_limit_in_mb: ctx.memory_limit_in_mb(),
        remaining_time_ms: ctx.get_remaining_time_in_millis(),
    })
}

pylambda::lambda!(hello);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name_with_the_request_id() {
        let ctx = Context {
            request_id: "req-1".into(),
            env_config: pylambda::Config {
                function_name: "hello".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let response = hello(
            Request {
                name: Some("Ferris".into()),
            },
            ctx,
        )
        .unwrap();
        assert_eq!(
            response.message,
            "Hello, Ferris! This is Rust in the Python runtime."
        );
        assert_eq!(
            (
                response.request_id.as_str(),
                response.function_name.as_str()
            ),
            ("req-1", "hello")
        );
    }

    #[test]
    fn blank_names_are_an_error() {
        let err = hello(
            Request {
                name: Some("  ".into()),
            },
            Context::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "name must not be blank");
    }
}
