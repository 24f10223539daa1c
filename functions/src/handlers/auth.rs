//! Identity routes — anonymous.

use lambda_http::Request;
use shop::adapters::cognito::Cognito;
use shop::adapters::mail::SqsMailQueue;
use shop::domain::account::{ForgotPasswordInput, ResetPasswordInput};
use shop::domain::identity::{LoginInput, RegisterInput};
use shop::domain::verification::{ResendInput, VerifyInput};
use shop::http::{json_body, Reply};
use shop::services::account;
use shop::services::identity as svc;
use shop::store::Store;
use shop::ShopError;

/// `POST /auth/register` `{email, password, name, role?}` → 201; the account signs in
/// once the code mailed to `email` comes back through `POST /auth/verify`.
pub async fn register(
    (idp, store, mail): &(Cognito, Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let registration = json_body::<RegisterInput>(&req)?.parse()?;
    Reply::with_status(201, svc::register(idp, store, mail, registration).await?)
}

/// `POST /auth/verify` `{email, code}` → the profile; the account may now sign in.
pub async fn verify((idp, store): &(Cognito, Store), req: Request) -> Result<Reply, ShopError> {
    let (email, code) = json_body::<VerifyInput>(&req)?.parse()?;
    Reply::ok(svc::verify(idp, store, &email, &code).await?)
}

/// `POST /auth/verify/resend` `{email}` → 202, whether or not a code was due.
pub async fn resend_verification(
    (store, mail): &(Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let email = json_body::<ResendInput>(&req)?.parse()?;
    svc::resend(store, mail, &email).await?;
    Reply::with_status(
        202,
        serde_json::json!({
            "detail": "if an account waits for verification at this address, a new code is on its way"
        }),
    )
}

/// `POST /auth/login` `{email, password}` → bearer tokens.
pub async fn login(idp: &Cognito, req: Request) -> Result<Reply, ShopError> {
    let credentials = json_body::<LoginInput>(&req)?.parse()?;
    Reply::ok(svc::login(idp, credentials).await?)
}

/// `POST /auth/password/forgot` `{email}` → 202 whatever the address: a code goes out
/// only to a verified account's address, at most once a minute.
pub async fn forgot_password(
    (idp, store, mail): &(Cognito, Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let email = json_body::<ForgotPasswordInput>(&req)?.parse()?;
    account::forgot_password(idp, store, mail, &email).await?;
    Reply::with_status(
        202,
        serde_json::json!({
            "detail": "if an account signs in with this address, a reset code is on its way"
        }),
    )
}

/// `POST /auth/password/reset` `{email, code, newPassword}` → 204; every session of the
/// account is signed out. A wrong code: 422 on `code`; the sixth try: 409 (ask again).
pub async fn reset_password(
    (idp, store, mail): &(Cognito, Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let reset = json_body::<ResetPasswordInput>(&req)?.parse()?;
    account::reset_password(idp, store, mail, reset).await?;
    Reply::no_content()
}
