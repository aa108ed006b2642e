//! `liblambda.handler`: the function that `template.yaml` (AWS SAM) and `main.tf` (Terraform)
//! deploy, from the zip `python -m pylambda build -p deploy` writes (`dist/deploy-x86_64.zip`).

use pylambda::{Context, Error};
use serde::{Deserialize, Serialize};

/// `{"name": "Ferris"}`; the name may be left out.
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
    /// Set when the function has active tracing (`Tracing: Active` in the template).
    pub trace_id: Option<String>,
}

/// Greets, and logs one record (JSON with the request id, as the templates configure).
pub fn handler(request: Request, ctx: Context) -> Result<Response, Error> {
    let name = request.name.unwrap_or_else(|| "world".into());
    log::info!("greeting {name}");
    Ok(Response {
        message: format!("Hello, {name}!"),
        request_id: ctx.request_id,
        trace_id: ctx.xray_trace_id,
    })
}

pylambda::lambda!(handler);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets() {
        let r = handler(Request { name: None }, Context::default()).unwrap();
        assert_eq!(r.message, "Hello, world!");
    }
}
