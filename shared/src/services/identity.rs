//! Registration, email verification and sign-in. Passwords go to the identity
//! provider and nowhere else: the shop's table holds a profile keyed by the
//! provider's `sub`, and while an address is unproven, a pending verification with
//! a digest of the mailed code. Who may call: anyone (anonymous).
//!
//! An account can sign in only after its owner sends back the code mailed to its
//! address: until then the provider holds it disabled. An unverified account never
//! blocks its address: registering again replaces it (and mails a new code), so a
//! stranger cannot squat an address before its owner arrives.

use serde::Serialize;

use crate::adapters::cognito::{IdentityProvider, Tokens};
use crate::adapters::mail::MailQueue;
use crate::clock::{now_rfc3339, now_sortable, unix_now};
use crate::domain::auth::Role;
use crate::domain::error::ShopError;
use crate::domain::identity::{Credentials, Registration};
use crate::domain::ids::UserId;
use crate::domain::mail::Mail;
use crate::domain::seller::Seller;
use crate::domain::verification::{
    self, digest, Code, CODE_LIFETIME_MINUTES, RESEND_AFTER_SECONDS,
};
use crate::store::{Profile, Store, VerificationRecord};

/// A fresh code from the OS's CSPRNG (through UUID v4's 122 random bits).
fn new_code() -> Code {
    Code::from_random(uuid::Uuid::new_v4().as_u128())
}

fn email_taken() -> ShopError {
    ShopError::Conflict("an account with this email exists".into())
}

/// The answer to a registration: the account exists and waits for its code.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: &'static str,
}

pub async fn register<I: IdentityProvider + ?Sized, Q: MailQueue + ?Sized>(
    idp: &I,
    store: &Store,
    mail: &Q,
    registration: Registration,
) -> Result<Registered, ShopError> {
    let user_id = match idp.create_unverified(&registration).await? {
        Some(id) => id,
        None if idp.is_unverified(&registration.email).await? => {
            idp.delete(&registration.email).await?;
            idp.create_unverified(&registration)
                .await?
                .ok_or_else(email_taken)?
        }
        None => return Err(email_taken()),
    };
    let code = new_code();
    let sent_at = unix_now();
    let record = VerificationRecord {
        user_id: user_id.clone(),
        email: registration.email.clone(),
        name: registration.name.clone(),
        role: registration.role,
        digest: digest(user_id.as_str(), &code),
        expires_at: sent_at + i64::from(CODE_LIFETIME_MINUTES) * 60,
        attempts: 0,
        sent_at,
    };
    let finish = async {
        idp.add_to_group(&registration.email, registration.role)
            .await?;
        store.put_verification(&record).await?;
        mail.enqueue(&verification_mail(&record, &code)).await
    };
    if let Err(err) = finish.await {
        // Undo, so the same email can register again instead of meeting a half-made
        // account (e.g. one without its group, which would act as a mere customer).
        idp.delete_logged(&registration.email).await;
        return Err(err);
    }
    Ok(Registered {
        user_id,
        email: record.email,
        name: record.name,
        role: record.role,
        status: "pending_verification",
    })
}

fn verification_mail(record: &VerificationRecord, code: &Code) -> Mail {
    Mail::VerifyEmail {
        to: record.email.clone(),
        name: record.name.clone(),
        code: code.expose().to_owned(),
        expires_in_minutes: CODE_LIFETIME_MINUTES,
    }
}

/// Checks the code; on success the account may sign in and its profile exists.
pub async fn verify<I: IdentityProvider + ?Sized>(
    idp: &I,
    store: &Store,
    email: &str,
    code: &Code,
) -> Result<Profile, ShopError> {
    let now = unix_now();
    let record = match store.count_attempt(email, now).await? {
        Some(record) => record,
        None => {
            let pending = store.get_verification(email).await?;
            return Err(verification::refusal(pending.map(|r| r.pending()).as_ref(), now).into());
        }
    };
    verification::check(&record.pending(), code, now)?;
    idp.mark_verified(email).await?;
    let created_at = now_rfc3339();
    // A seller's account is an application from here on, pending an administrator's approval.
    let application = (record.role == Role::Seller)
        .then(|| Seller::application(&record.user_id, &record.name, &now_sortable()));
    let profile = Profile::new(
        record.user_id.clone(),
        record.email.clone(),
        record.name.clone(),
        record.role,
        created_at,
    );
    store
        .complete_verification(email, &profile, application.as_ref())
        .await?;
    Ok(profile)
}

/// Mails a new code if `email` waits for verification and the last code is older than
/// [`RESEND_AFTER_SECONDS`]. Silent otherwise: the answer is the same either way, so
/// it tells nothing about which addresses have accounts.
pub async fn resend<Q: MailQueue + ?Sized>(
    store: &Store,
    mail: &Q,
    email: &str,
) -> Result<(), ShopError> {
    let Some(record) = store.get_verification(email).await? else {
        return Ok(());
    };
    let now = unix_now();
    if !verification::may_resend(&record.pending(), now) {
        return Ok(());
    }
    let code = new_code();
    let replaced = store
        .replace_code(
            email,
            &record.user_id,
            &digest(record.user_id.as_str(), &code),
            now + i64::from(CODE_LIFETIME_MINUTES) * 60,
            now,
            now - RESEND_AFTER_SECONDS,
        )
        .await?;
    if replaced {
        mail.enqueue(&verification_mail(&record, &code)).await?;
    }
    Ok(())
}

pub async fn login<I: IdentityProvider + ?Sized>(
    idp: &I,
    credentials: Credentials,
) -> Result<Tokens, ShopError> {
    idp.sign_in(&credentials).await
}
