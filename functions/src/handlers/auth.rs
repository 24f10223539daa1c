//! Identity routes — anonymous.

use lambda_http::Request;
use shop::http::{json_body, Reply};
use shop::services::identity as svc;
use shop::{App, ShopError};

/// `POST /auth/register` `{email, password, name, role?}`
pub async fn register(app: &App, req: Request) -> Result<Reply, ShopError> {
    let input = json_body::<svc::RegisterInput>(&req)?;
    let profile = svc::register(app.identity()?, &app.store, input).await?;
    Reply::with_status(201, profile)
}

/// `POST /auth/login` `{email, password}` → bearer tokens.
pub async fn login(app: &App, req: Request) -> Result<Reply, ShopError> {
    let input = json_body::<svc::LoginInput>(&req)?;
    Reply::ok(svc::login(app.identity()?, input).await?)
}
