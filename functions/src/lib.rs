//! The shop's Lambda functions. Each binary in `src/bin/` is one function. It
//! builds, once per cold start, exactly the dependencies its handler names as its
//! first parameter (a [`Dependency`]: the store, the identity provider, the mail
//! queue, tuples of them), warms them up, and serves every invocation in one of
//! two ways:
//!
//! - [`serve_http`]: an API Gateway route (payload 2.0) — the handler parses, calls a
//!   use case and shapes a [`Reply`]; errors become `application/problem+json`.
//! - [`serve_events`]: any other trigger (SQS batches with partial-batch responses,
//!   DynamoDB stream batches, Step Functions task input/output, S3 and scheduled
//!   events) — the handler takes the typed event from `aws_lambda_events`, or any
//!   serde type, and returns its typed answer.

pub mod batch;
pub mod handlers;
pub mod measure;
pub mod schedule;
pub mod stream;
pub mod uploaded;

use lambda_http::{Body, Request, RequestExt, Response};
use lambda_runtime::LambdaEvent;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shop::config::{init_tracing, Dependency, Env, InitError};
use shop::http::{correlation_id, respond, Reply};
use shop::ShopError;
use std::future::Future;
use tracing::Instrument;

pub type Error = lambda_runtime::Error;

/// Every function allocates through mimalloc: a warm request makes thousands of small
/// allocations (the SDK's request and response, the item's attribute map, the JSON answer),
/// and glibc's malloc/free took about a fifth of its instructions under callgrind
/// (`infra/bench/request_cost.py`; README, "Benchmarks").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tracing, the SDK configuration and this function's dependencies, warmed up.
/// Leaked on purpose: they live as long as the execution environment. A missing
/// dependency is reported to Lambda as an init error (`Runtime.InitError`, naming it)
/// and ends the process before any event is taken.
async fn bootstrap<D: Dependency>() -> Result<&'static D, InitError> {
    init_tracing();
    let namespace = std::env::var("SHOP_METRICS_NAMESPACE").unwrap_or_default();
    shop::telemetry::install(if namespace.is_empty() {
        "Shop"
    } else {
        &namespace
    });
    let env = Env::load().await;
    let deps = match D::from_env(&env).await {
        Ok(deps) => deps,
        Err(err) => {
            tracing::error!(error = %err, "init failed");
            report_init_error(&err);
            return Err(err);
        }
    };
    let deps: &'static D = Box::leak(Box::new(deps));
    deps.warm_up().await;
    Ok(deps)
}

/// `POST /runtime/init/error` to the Lambda Runtime API, so the failure shows as the
/// function's init error (lambda_runtime reports init errors only for SnapStart).
/// Best effort: the process exits with the error either way.
fn report_init_error(err: &InitError) {
    use std::io::Write;
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return;
    };
    let body = serde_json::json!({ "errorMessage": err.to_string(), "errorType": "InitError" })
        .to_string();
    let request = format!(
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: {api}\r\n\
         Lambda-Runtime-Function-Error-Type: Runtime.InitError\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let sent = std::net::TcpStream::connect(&api).and_then(|mut stream| {
        stream.write_all(request.as_bytes())?;
        // Wait for the answer, so the report is taken before the process exits.
        std::io::Read::read(&mut stream, &mut [0u8; 256]).map(|_| ())
    });
    if let Err(e) = sent {
        tracing::error!(error = %e, "could not report the init error to the Runtime API");
    }
}

/// Runs an HTTP function until the runtime stops it.
pub async fn serve_http<D, F, Fut>(handler: F) -> Result<(), Error>
where
    D: Dependency,
    F: Fn(&'static D, Request) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<Reply, ShopError>> + Send,
{
    let deps = bootstrap::<D>().await?;
    // Each invocation's future is boxed: held inline in the runtime's own futures, a deep
    // use case (the checkout's) nests past the compiler's type-depth limit in `main`'s
    // future on a clean build. One allocation per invocation.
    lambda_http::run(lambda_http::service_fn(move |req: Request| async move {
        Ok::<_, Error>(Box::pin(handle_http(deps, req, handler)).await)
    }))
    .await
}

/// One HTTP invocation: run the handler and turn its result into a response.
pub async fn handle_http<D, F, Fut>(deps: &'static D, req: Request, handler: F) -> Response<Body>
where
    F: Fn(&'static D, Request) -> Fut,
    Fut: Future<Output = Result<Reply, ShopError>>,
{
    let correlation = correlation_id(&req);
    invocation_properties(req.lambda_context_ref());
    shop::telemetry::property("correlationId", correlation.as_str());
    // Every log line of the request carries its correlation id (the runtime's own span
    // adds the request id and the X-Ray trace id).
    let span = tracing::info_span!("request", correlation_id = %correlation);
    let response = respond(handler(deps, req).instrument(span).await, &correlation);
    shop::telemetry::flush();
    response
}

/// The invocation's request id and X-Ray trace id on its metric documents.
fn invocation_properties(context: Option<&lambda_runtime::Context>) {
    if let Some(context) = context {
        shop::telemetry::property("requestId", context.request_id.as_str());
        if let Some(trace) = &context.xray_trace_id {
            shop::telemetry::property("xrayTraceId", trace.as_str());
        }
    }
}

/// Runs an event function until the runtime stops it. An `Err` from the handler
/// fails the whole invocation (the trigger retries it; Step Functions matches its
/// `error_type` in `Retry`/`Catch`); per-record failures belong in the answer (e.g.
/// `SqsBatchResponse`).
pub async fn serve_events<D, E, R, Er, F, Fut>(handler: F) -> Result<(), Error>
where
    D: Dependency,
    E: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    Er: Into<lambda_runtime::Diagnostic> + std::fmt::Debug,
    F: Fn(&'static D, LambdaEvent<E>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<R, Er>> + Send,
{
    let deps = bootstrap::<D>().await?;
    // Boxed, as in `serve_http`.
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<E>| {
        Box::pin(async move {
            invocation_properties(Some(&event.context));
            let answer = handler(deps, event).await;
            shop::telemetry::flush();
            answer
        })
    }))
    .await
}
