//! `libapigw.handler`: a small REST API behind API Gateway (REST API, proxy integration v1),
//! typed with `aws_lambda_events`.
//!
//! | route | response |
//! |---|---|
//! | `GET /hello?name=N` | 200 `{"message": "Hello, N!"}` |
//! | `POST /items` with `{"name": str, "quantity": u32}` | 201 the created item, with an id |
//! | `POST /items` with a malformed or invalid body | 400 `{"error": ...}` |
//! | another method on a known path | 405, with an `Allow` header |
//! | any other path | 404 |

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue, Method};
use pylambda::{Context, Error};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The body of `POST /items`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub name: String,
    pub quantity: u32,
}

/// A created item.
#[derive(Debug, Serialize, PartialEq)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub quantity: u32,
}

/// Routes one request.
pub fn handler(
    request: ApiGatewayProxyRequest,
    ctx: Context,
) -> Result<ApiGatewayProxyResponse, Error> {
    let path = request.path.as_deref().unwrap_or("/");
    let response = match (path, &request.http_method) {
        ("/hello", &Method::GET) => {
            let name = request
                .query_string_parameters
                .first("name")
                .unwrap_or("world");
            respond(200, json!({ "message": format!("Hello, {name}!") }))
        }
        ("/items", &Method::POST) => create_item(request.body.as_deref(), &ctx),
        ("/hello", _) => method_not_allowed("GET"),
        ("/items", _) => method_not_allowed("POST"),
        _ => respond(404, json!({ "error": format!("no route for {path}") })),
    };
    Ok(response)
}

fn create_item(body: Option<&str>, ctx: &Context) -> ApiGatewayProxyResponse {
    let Some(body) = body.filter(|b| !b.trim().is_empty()) else {
        return respond(400, json!({ "error": "request body is required" }));
    };
    match serde_json::from_str::<NewItem>(body) {
        Ok(item) if item.name.trim().is_empty() => {
            respond(400, json!({ "error": "name must not be empty" }))
        }
        Ok(item) => {
            let created = Item {
                id: ctx.request_id.clone(),
                name: item.name,
                quantity: item.quantity,
            };
            respond(201, serde_json::to_value(created).unwrap_or_default())
        }
        Err(e) => respond(400, json!({ "error": format!("malformed body: {e}") })),
    }
}

fn method_not_allowed(allow: &'static str) -> ApiGatewayProxyResponse {
    let mut response = respond(405, json!({ "error": "method not allowed" }));
    response
        .headers
        .insert("allow", HeaderValue::from_static(allow));
    response
}

fn respond(status: i64, body: serde_json::Value) -> ApiGatewayProxyResponse {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response
}

pylambda::lambda!(handler);

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, path: &str, body: Option<&str>) -> ApiGatewayProxyRequest {
        let mut r = ApiGatewayProxyRequest::default();
        r.http_method = method;
        r.path = Some(path.into());
        r.body = body.map(str::to_owned);
        r
    }

    fn body(r: &ApiGatewayProxyResponse) -> serde_json::Value {
        match &r.body {
            Some(Body::Text(t)) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn routes() {
        let ctx = Context {
            request_id: "id-1".into(),
            ..Context::default()
        };
        let r = handler(request(Method::GET, "/hello", None), ctx.clone()).unwrap();
        assert_eq!(
            (r.status_code, body(&r)),
            (200, json!({"message": "Hello, world!"}))
        );
        let r = handler(
            request(Method::POST, "/items", Some(r#"{"name":"a","quantity":2}"#)),
            ctx.clone(),
        )
        .unwrap();
        assert_eq!(
            (r.status_code, body(&r)),
            (201, json!({"id": "id-1", "name": "a", "quantity": 2}))
        );
        let r = handler(
            request(Method::POST, "/items", Some("{not json")),
            ctx.clone(),
        )
        .unwrap();
        assert_eq!(r.status_code, 400);
        let r = handler(request(Method::DELETE, "/items", None), ctx.clone()).unwrap();
        assert_eq!(
            (r.status_code, r.headers["allow"].to_str().unwrap()),
            (405, "POST")
        );
        assert_eq!(
            handler(request(Method::GET, "/nope", None), ctx)
                .unwrap()
                .status_code,
            404
        );
    }
}
