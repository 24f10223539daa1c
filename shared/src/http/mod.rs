//! The HTTP edge: reading API Gateway (payload 2.0) requests into domain inputs
//! and turning results into JSON or `application/problem+json` responses.

pub mod problem;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::auth::Caller;
use crate::domain::error::{FieldError, ShopError};

/// Largest request body a handler reads; API Gateway allows more, the shop needs less.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A successful response: a status, a JSON body (or none, for 204) and any headers
/// beyond the ones every reply carries.
pub struct Reply {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn ok(body: impl Serialize) -> Result<Reply, ShopError> {
        Reply::with_status(200, body)
    }

    pub fn created(body: impl Serialize, location: String) -> Result<Reply, ShopError> {
        Ok(Reply::with_status(201, body)?.header("location", location))
    }

    pub fn no_content() -> Result<Reply, ShopError> {
        Ok(Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        })
    }

    pub fn with_status(status: u16, body: impl Serialize) -> Result<Reply, ShopError> {
        let body = serde_json::to_value(body).map_err(ShopError::internal)?;
        Ok(Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        })
    }

    pub fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// The verified caller, from the JWT claims the authorizer put in the request context.
pub fn caller(req: &Request) -> Result<Caller, ShopError> {
    let claims = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|j| &j.claims),
        _ => None,
    };
    Caller::from_claims(claims.ok_or(ShopError::Unauthenticated)?)
}

/// Deserialises the JSON body. Shape errors (syntax, types, missing or unknown
/// fields) are 400s that name the problem; rule checks come after, as 422s.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ShopError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.is_empty() {
        return Err(ShopError::Malformed("a JSON body is required".into()));
    }
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ShopError::Malformed(format!(
            "the body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ShopError::Malformed(format!("invalid JSON body: {e}")))
}

/// A path parameter parsed into its id type; a bad one is a 400 naming the field.
pub fn path_param<T>(
    req: &Request,
    name: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<T, ShopError> {
    let params = req.path_parameters();
    let raw = params
        .first(name)
        .ok_or_else(|| ShopError::Malformed(format!("missing path parameter {name}")))?;
    parse(raw).map_err(|e| ShopError::Malformed(format!("path parameter {name}: {}", e.message)))
}

/// A request header as text; absent when missing or not valid UTF-8.
pub fn header<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Every query parameter, repeats included (`brand=a&brand=b` is two pairs).
pub fn query_pairs(req: &Request) -> Vec<(String, String)> {
    req.query_string_parameters_ref()
        .map(|q| {
            q.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
        .map(str::to_owned)
}

/// The id an operator greps the logs for: API Gateway's request id, else Lambda's.
pub fn correlation_id(req: &Request) -> String {
    if let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() {
        if let Some(id) = &ctx.request_id {
            return id.clone();
        }
    }
    req.lambda_context_ref()
        .map(|c| c.request_id.clone())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The response header that carries the correlation id on every reply, so a client
/// can quote it for a success as well as for a problem.
pub const CORRELATION_HEADER: &str = "x-correlation-id";

fn json_response(
    status: u16,
    content_type: &str,
    body: String,
    headers: Vec<(&'static str, String)>,
    correlation_id: &str,
) -> Response<Body> {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .header(CORRELATION_HEADER, correlation_id);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(Body::Text(body)).unwrap_or_else(|_| {
        let mut fallback = Response::new(Body::Empty);
        *fallback.status_mut() = lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// Maps a handler's result to the HTTP response. Internal errors are logged with
/// their cause and the correlation id; the caller sees only the id.
pub fn respond(result: Result<Reply, ShopError>, correlation_id: &str) -> Response<Body> {
    match result {
        Ok(Reply {
            status,
            body: Some(body),
            headers,
        }) => json_response(
            status,
            "application/json",
            body.to_string(),
            headers,
            correlation_id,
        ),
        Ok(Reply {
            status, body: None, ..
        }) => {
            let mut resp = json_response(
                status,
                "application/json",
                String::new(),
                Vec::new(),
                correlation_id,
            );
            *resp.body_mut() = Body::Empty;
            resp
        }
        Err(err) => {
            let status = problem::status(&err);
            if status >= 500 {
                tracing::error!(correlation_id, error = %err, "request failed");
            } else {
                tracing::info!(correlation_id, status, error = %err, "request rejected");
            }
            let document = problem::problem(&err, correlation_id);
            let body = serde_json::to_string(&document).unwrap_or_else(|_| "{}".to_owned());
            json_response(
                status,
                "application/problem+json",
                body,
                Vec::new(),
                correlation_id,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::Sku;
    use lambda_http::request::from_str;

    const EVENT: &str = r#"{
      "version": "2.0", "routeKey": "POST /cart/items", "rawPath": "/cart/items", "rawQueryString": "",
      "headers": {"content-type": "application/json"},
      "requestContext": {
        "accountId": "000000000000", "apiId": "local", "domainName": "localhost", "domainPrefix": "localhost",
        "requestId": "req-123", "routeKey": "POST /cart/items", "stage": "$default", "time": "24/Nov/2026:00:00:00 +0000", "timeEpoch": 0,
        "http": {"method": "POST", "path": "/cart/items", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
        "authorizer": {"jwt": {"claims": {"sub": "user-1", "token_use": "id", "cognito:groups": "[seller]"}, "scopes": null}}
      },
      "pathParameters": {"sku": "ABC-1"},
      "body": "{\"sku\": \"ABC-1\", \"quantity\": 2}", "isBase64Encoded": false
    }"#;

    #[derive(serde::Deserialize)]
    struct AddItem {
        sku: String,
        quantity: i64,
    }

    #[test]
    fn reads_claims_body_and_path_from_a_payload_v2_event() {
        let req = from_str(EVENT).unwrap();
        let caller = caller(&req).unwrap();
        assert_eq!(caller.user_id.as_str(), "user-1");
        let body: AddItem = json_body(&req).unwrap();
        assert_eq!((body.sku.as_str(), body.quantity), ("ABC-1", 2));
        assert_eq!(
            path_param(&req, "sku", Sku::parse).unwrap().as_str(),
            "ABC-1"
        );
        assert_eq!(correlation_id(&req), "req-123");
    }

    #[test]
    fn a_request_without_claims_is_unauthenticated() {
        let without = EVENT.replace(r#""authorizer": {"jwt": {"claims": {"sub": "user-1", "token_use": "id", "cognito:groups": "[seller]"}, "scopes": null}}"#, r#""authorizer": null"#);
        let req = from_str(&without).unwrap();
        assert!(matches!(caller(&req), Err(ShopError::Unauthenticated)));
    }

    #[test]
    fn malformed_bodies_are_400s() {
        let bad = EVENT.replace(
            r#""body": "{\"sku\": \"ABC-1\", \"quantity\": 2}""#,
            r#""body": "{not json""#,
        );
        let req = from_str(&bad).unwrap();
        let err = json_body::<AddItem>(&req).err().unwrap();
        assert_eq!(problem::status(&err), 400);
    }

    #[test]
    fn errors_become_problem_json() {
        let resp = respond(Err(ShopError::NotFound("product")), "c-1");
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        };
        assert_eq!(body["status"], 404);
        assert_eq!(body["correlationId"], "c-1");
        assert_eq!(resp.headers()[CORRELATION_HEADER], "c-1");
        let ok = respond(Reply::ok(serde_json::json!({})), "c-2");
        assert_eq!(ok.headers()[CORRELATION_HEADER], "c-2");
    }
}
