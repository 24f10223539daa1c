//! Recovering and changing an account: a forgotten password reset with a mailed code
//! (anyone, by address; the answers never tell which addresses have accounts), and a
//! change of sign-in address proven by a code mailed to the new address (the signed-in
//! owner, with their password); and deleting a customer's account. The first two use the email verification's rules: 6 digits,
//! 15 minutes, 5 tries, a new code at most once a minute.

use crate::adapters::cognito::IdentityProvider;
use crate::adapters::mail::MailQueue;
use crate::clock::unix_now;
use crate::domain::account::{blocks_deletion, erased_address, masked, PasswordReset};
use crate::domain::auth::{Caller, Role};
use crate::domain::error::{FieldError, ShopError};
use crate::domain::identity::{Credentials, Password};
use crate::domain::ids::{SellerId, UserId};
use crate::domain::mail::{AccountChange, CodePurpose, Mail};
use crate::domain::verification::{
    self, check_for, digest_for, Code, Purpose, CODE_LIFETIME_MINUTES, RESEND_AFTER_SECONDS,
};
use crate::store::{CodeKey, CodeRecord, Store};

/// A fresh code from the OS's CSPRNG (through UUID v4's 122 random bits).
fn new_code() -> Code {
    Code::from_random(uuid::Uuid::new_v4().as_u128())
}

async fn name_of(store: &Store, user: &UserId) -> Result<String, ShopError> {
    Ok(store
        .get_profile(user)
        .await?
        .map(|p| p.name)
        .unwrap_or_else(|| "customer".to_owned()))
}

/// Mails a new code to `record.email` for `at`, unless the last one went out less than a
/// minute ago (a record of another account at the same key is replaced).
async fn send_code<Q: MailQueue + ?Sized>(
    store: &Store,
    mail: &Q,
    at: &CodeKey<'_>,
    purpose: (Purpose, CodePurpose),
    user: &UserId,
    email: &str,
) -> Result<(), ShopError> {
    let now = unix_now();
    let code = new_code();
    let digest = digest_for(purpose.0, user.as_str(), &code);
    let expires_at = now + i64::from(CODE_LIFETIME_MINUTES) * 60;
    match store.get_code(at).await? {
        Some(existing) if existing.user_id == *user && existing.email == email => {
            if !verification::may_resend(&existing.pending(), now)
                || !store
                    .replace_code_record(
                        at,
                        user,
                        &digest,
                        expires_at,
                        now,
                        now - RESEND_AFTER_SECONDS,
                    )
                    .await?
            {
                return Ok(());
            }
        }
        _ => {
            let record = CodeRecord {
                user_id: user.clone(),
                email: email.to_owned(),
                digest,
                expires_at,
                attempts: 0,
                sent_at: now,
            };
            store.put_code(at, &record).await?;
        }
    }
    mail.enqueue(&Mail::AccountCode {
        to: email.to_owned(),
        name: name_of(store, user).await?,
        purpose: purpose.1,
        code: code.expose().to_owned(),
        expires_in_minutes: CODE_LIFETIME_MINUTES,
    })
    .await
}

/// Counts one attempt at `at` and checks `code`; the record, once the code is right.
async fn check_code(
    store: &Store,
    at: &CodeKey<'_>,
    purpose: Purpose,
    code: &Code,
) -> Result<CodeRecord, ShopError> {
    let now = unix_now();
    let Some(record) = store.count_code(at, now).await? else {
        let pending = store.get_code(at).await?;
        return Err(verification::refusal(pending.map(|r| r.pending()).as_ref(), now).into());
    };
    check_for(purpose, &record.pending(), code, now)?;
    Ok(record)
}

/// `POST /auth/password/forgot`: a code to the address if a verified, enabled account
/// signs in with it; silent otherwise (the same 202 either way).
pub async fn forgot_password<I: IdentityProvider + ?Sized, Q: MailQueue + ?Sized>(
    idp: &I,
    store: &Store,
    mail: &Q,
    email: &str,
) -> Result<(), ShopError> {
    let Some(account) = idp.find(email).await? else {
        return Ok(());
    };
    if !account.email_verified || !account.enabled {
        return Ok(());
    }
    let at = CodeKey::PasswordReset { email };
    send_code(
        store,
        mail,
        &at,
        (Purpose::ResetPassword, CodePurpose::PasswordReset),
        &account.user_id,
        email,
    )
    .await
}

/// `POST /auth/password/reset`: the right code, in time, within 5 tries, sets the new
/// password once (the code is spent first, so it cannot be used again), signs every
/// session out, and tells the address.
pub async fn reset_password<I: IdentityProvider + ?Sized, Q: MailQueue + ?Sized>(
    idp: &I,
    store: &Store,
    mail: &Q,
    reset: PasswordReset,
) -> Result<(), ShopError> {
    let at = CodeKey::PasswordReset {
        email: &reset.email,
    };
    let record = check_code(store, &at, Purpose::ResetPassword, &reset.code).await?;
    if !store.spend_code(&at, &record.digest).await? {
        return Err(verification::Refusal::InvalidCode.into());
    }
    idp.set_password(&reset.email, &reset.new_password).await?;
    idp.sign_out_everywhere(&reset.email).await?;
    mail.enqueue(&Mail::AccountChanged {
        to: reset.email.clone(),
        name: name_of(store, &record.user_id).await?,
        change: AccountChange::PasswordReset,
    })
    .await
}

/// The caller's profile: its `email` is what the account signs in with.
async fn own_profile(store: &Store, caller: &Caller) -> Result<crate::store::Profile, ShopError> {
    store
        .get_profile(&caller.user_id)
        .await?
        .ok_or(ShopError::NotFound("profile"))
}

/// `POST /me/email` `{newEmail, password}`: a code to the new address; nothing changes
/// until it comes back (the old address keeps signing in meanwhile). The password must
/// be right (a stolen session alone cannot move the account: 401 otherwise), and no
/// other account may sign in with the new address (409).
pub async fn request_email_change<I: IdentityProvider + ?Sized, Q: MailQueue + ?Sized>(
    idp: &I,
    store: &Store,
    mail: &Q,
    caller: &Caller,
    new_email: &str,
    password: Password,
) -> Result<(), ShopError> {
    let email = own_profile(store, caller).await?.email;
    if new_email == email {
        return Err(FieldError::new("newEmail", "is the account's address already").into());
    }
    idp.sign_in(&Credentials {
        email: email.clone(),
        password: password.expose().to_owned(),
    })
    .await?;
    if idp.find(new_email).await?.is_some() {
        return Err(ShopError::Conflict(
            "an account with this email exists".into(),
        ));
    }
    let at = CodeKey::EmailChange {
        user: &caller.user_id,
    };
    send_code(
        store,
        mail,
        &at,
        (Purpose::ChangeEmail, CodePurpose::EmailChange),
        &caller.user_id,
        new_email,
    )
    .await
}

/// `POST /me/email/verify` `{code}`: the account moves to the new address (its profile
/// too), and the old address is told.
pub async fn confirm_email_change<I: IdentityProvider + ?Sized, Q: MailQueue + ?Sized>(
    idp: &I,
    store: &Store,
    mail: &Q,
    caller: &Caller,
    code: &Code,
) -> Result<String, ShopError> {
    let at = CodeKey::EmailChange {
        user: &caller.user_id,
    };
    let record = check_code(store, &at, Purpose::ChangeEmail, code).await?;
    let profile = own_profile(store, caller).await?;
    if !store.spend_code(&at, &record.digest).await? {
        return Err(verification::Refusal::InvalidCode.into());
    }
    idp.change_email(&profile.email, &record.email).await?;
    store
        .set_profile_email(&caller.user_id, &record.email)
        .await?;
    mail.enqueue(&Mail::AccountChanged {
        to: profile.email,
        name: profile.name,
        change: AccountChange::EmailChanged {
            new_email: masked(&record.email),
        },
    })
    .await?;
    Ok(record.email)
}

/// `DELETE /me`: a customer's account and personal data, gone. Refused (409) while an
/// order is still on its way (the shop still needs the person); a seller's or an
/// administrator's account is closed by an operator. Idempotent: a deletion that
/// stopped halfway is finished by the next one, and a finished one answers the same.
///
/// The order of the steps makes each retry safe: the identity provider's account goes
/// first (nobody signs in again; its address is read from the profile, which goes last),
/// then the reviews' author name, the orders' person, and the partition, tombstoned.
pub async fn delete_account<I: IdentityProvider + ?Sized, Q: MailQueue + ?Sized>(
    idp: &I,
    store: &Store,
    mail: &Q,
    caller: &Caller,
) -> Result<(), ShopError> {
    if caller.has(Role::Seller) || caller.is_admin() {
        return Err(ShopError::Conflict(
            "a seller's or an administrator's account is closed by the shop's operator".into(),
        ));
    }
    let Some(profile) = store.current_profile(&caller.user_id).await? else {
        return if store.account_deleted(&caller.user_id).await? {
            Ok(())
        } else {
            Err(ShopError::NotFound("profile"))
        };
    };
    let orders = all_orders(store, &caller.user_id).await?;
    if let Some(open) = orders.iter().find(|o| blocks_deletion(o.status)) {
        return Err(ShopError::Conflict(format!(
            "order {} is {}: the account can be deleted once every order is delivered or cancelled",
            open.id,
            open.status.as_str()
        )));
    }
    if let Some(account) = idp.find(&profile.email).await? {
        if account.user_id == caller.user_id {
            idp.disable(&profile.email).await?;
            idp.delete(&profile.email).await?;
        }
    }
    for review in store.reviews_by(&caller.user_id).await? {
        store.anonymise_review(&review).await?;
    }
    for order in &orders {
        let shipments: Vec<String> = order
            .lines
            .iter()
            .map(|l| crate::store::keys::shipment_sk(&SellerId::of(&l.seller_id)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        store
            .erase_order_person(order, &erased_address(&order.shipping_address), &shipments)
            .await?;
    }
    store
        .erase_user(&caller.user_id, &crate::clock::now_rfc3339())
        .await?;
    mail.enqueue(&Mail::AccountChanged {
        to: profile.email,
        name: profile.name,
        change: AccountChange::AccountDeleted,
    })
    .await
}

/// Every order of the customer (all pages).
async fn all_orders(
    store: &Store,
    user: &UserId,
) -> Result<Vec<crate::domain::order::Order>, ShopError> {
    let mut orders = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .customer_orders(user, None, 100, cursor.as_deref())
            .await?;
        orders.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(orders),
        }
    }
}
