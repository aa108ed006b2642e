//! The handler body shared by every typed API Gateway route, so that the routes differ only in
//! how the request gets in and the response gets out.

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue};

/// A typical small REST handler: 200, a content type, the request id echoed as a header, and
/// the request body sent back.
pub fn respond(request: &ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if let Some(id) = request.request_context.request_id.as_deref() {
        if let Ok(value) = HeaderValue::from_str(id) {
            headers.insert("x-request-id", value);
        }
    }
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 200;
    response.headers = headers;
    response.body = request.body.clone().map(Body::Text);
    response
}
