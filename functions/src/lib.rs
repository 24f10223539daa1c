//! The shop's Lambda functions. Each binary in `src/bin/` is one function behind
//! one API route; it builds the [`App`] (config + AWS clients) once per cold start
//! and serves every invocation with one handler from [`handlers`].
//!
//! A handler only parses the request, calls a use case in `shop::services` and
//! shapes the reply; `serve` maps errors to `application/problem+json`.

pub mod handlers;

use lambda_http::{service_fn, Body, Error, Request, Response};
use shop::http::{correlation_id, respond, Reply};
use shop::{App, ShopError};
use std::future::Future;

/// Runs `handler` as a Lambda function until the runtime stops it.
pub async fn serve<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<Reply, ShopError>> + Send,
{
    shop::config::init_tracing();
    // Leaked on purpose: the App lives as long as the execution environment.
    let app: &'static App = Box::leak(Box::new(App::from_env().await?));
    app.store.warm_up().await;
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handle(app, req, handler).await)
    }))
    .await
}

/// One invocation: run the handler and turn its result into a response.
pub async fn handle<F, Fut>(app: &'static App, req: Request, handler: F) -> Response<Body>
where
    F: Fn(&'static App, Request) -> Fut,
    Fut: Future<Output = Result<Reply, ShopError>>,
{
    let correlation = correlation_id(&req);
    respond(handler(app, req).await, &correlation)
}
