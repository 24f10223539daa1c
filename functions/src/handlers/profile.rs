//! The caller's own account — any signed-in user (customer, seller, admin), on their own
//! profile and address book only: keys come from the verified `sub`, never from input.

use lambda_http::Request;
use shop::adapters::cognito::Cognito;
use shop::adapters::mail::SqsMailQueue;
use shop::domain::account::{EmailChangeInput, EmailCodeInput};
use shop::domain::ids::AddressId;
use shop::domain::profile::{AddressPatchInput, NewAddressInput, ProfilePatchInput};
use shop::http::{caller, json_body, path_param, Reply};
use shop::services::account;
use shop::services::profile as svc;
use shop::store::Store;
use shop::ShopError;

/// `GET /me` — the profile: name, email, phone, preferences, the default address.
pub async fn get_me(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(svc::me(store, &caller).await?)
}

/// `PATCH /me` `{name?, phone?, preferences?: {language?, currency?, marketingEmails?}}`;
/// `phone: null` removes the phone. The email changes through `POST /me/email`.
pub async fn update_me(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let patch = json_body::<ProfilePatchInput>(&req)?.parse()?;
    Reply::ok(svc::update_me(store, &caller, patch).await?)
}

/// `GET /me/addresses` — the address book, oldest first, the default marked.
pub async fn list_addresses(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(serde_json::json!({ "items": svc::list_addresses(store, &caller).await? }))
}

/// `POST /me/addresses` `{label?, isDefault?, address}` → 201; at most 20 (409 beyond).
pub async fn add_address(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let new = json_body::<NewAddressInput>(&req)?.parse()?;
    let view = svc::add_address(store, &caller, new).await?;
    let location = format!("/me/addresses/{}", view.entry.id);
    Reply::created(view, location)
}

/// `PATCH /me/addresses/{id}` `{label?, isDefault?, address?}`.
pub async fn update_address(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", AddressId::parse)?;
    let patch = json_body::<AddressPatchInput>(&req)?.parse()?;
    Reply::ok(svc::update_address(store, &caller, &id, patch).await?)
}

/// `DELETE /me/addresses/{id}` → 204; deleting the default leaves the book without one.
pub async fn delete_address(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", AddressId::parse)?;
    svc::delete_address(store, &caller, &id).await?;
    Reply::no_content()
}

/// `POST /me/email` `{newEmail, password}` → 202: a code goes to the new address; the
/// account keeps its address until the code comes back. Wrong password: 401; an address
/// another account uses: 409.
pub async fn change_email(
    (idp, store, mail): &(Cognito, Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let (new_email, password) = json_body::<EmailChangeInput>(&req)?.parse()?;
    account::request_email_change(idp, store, mail, &caller, &new_email, password).await?;
    Reply::with_status(
        202,
        serde_json::json!({ "detail": "a code is on its way to the new address" }),
    )
}

/// `POST /me/email/verify` `{code}` → the account signs in with the new address from now
/// on; the old address is told.
pub async fn verify_email_change(
    (idp, store, mail): &(Cognito, Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let code = json_body::<EmailCodeInput>(&req)?.parse()?;
    let email = account::confirm_email_change(idp, store, mail, &caller, &code).await?;
    Reply::ok(serde_json::json!({ "email": email }))
}

/// `DELETE /me` → 204: a customer's account and personal data deleted; orders stay as
/// the shop's record, without the person. 409 while an order is on its way; 204 again
/// for an account deleted already.
pub async fn delete_me(
    (idp, store, mail): &(Cognito, Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    account::delete_account(idp, store, mail, &caller).await?;
    Reply::no_content()
}
