//! Proving that a new account's owner reads its email address. Registration mails a
//! short-lived code; the account signs in only once the code comes back. The rules
//! (how long a code lives, how many tries it allows, how soon a new one may be sent,
//! how a code is compared) are here; the store keeps a pending verification, the
//! identity provider keeps the account disabled until then.

use serde::Deserialize;
use std::fmt;

use crate::domain::error::{FieldError, ShopError};
use crate::domain::identity::parse_email;

/// Minutes a code is valid.
pub const CODE_LIFETIME_MINUTES: u32 = 15;
/// Wrong codes accepted before the pending verification is locked (a new code unlocks it).
pub const MAX_ATTEMPTS: u32 = 5;
/// Seconds before another code may be mailed to the same address.
pub const RESEND_AFTER_SECONDS: i64 = 60;
const CODE_DIGITS: u32 = 6;

/// A one-time code as mailed: six digits. `Debug` hides it, so logs never hold one.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// A code from 128 random bits (the caller's CSPRNG); the modulo bias over 10^6
    /// values is below 2^-100.
    pub fn from_random(random: u128) -> Code {
        let n = random % 10u128.pow(CODE_DIGITS);
        Code(format!("{n:0width$}", width = CODE_DIGITS as usize))
    }

    /// A code as the customer typed it; surrounding spaces are forgiven.
    pub fn parse(raw: &str) -> Option<Code> {
        let code = raw.trim();
        (code.len() == CODE_DIGITS as usize && code.chars().all(|c| c.is_ascii_digit()))
            .then(|| Code(code.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

/// What a mailed code proves. Each purpose salts its digests apart, so a code mailed
/// for one can never pass for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new account's address (registration).
    VerifyEmail,
    /// The owner of an address forgot the account's password.
    ResetPassword,
    /// A signed-in owner proves a new address before the account moves to it.
    ChangeEmail,
}

impl Purpose {
    fn salt(self) -> &'static [u8] {
        match self {
            Purpose::VerifyEmail => b"shop-email-verification\0",
            Purpose::ResetPassword => b"shop-password-reset\0",
            Purpose::ChangeEmail => b"shop-email-change\0",
        }
    }
}

/// What the store keeps of a code: a salted digest, never the code itself, so a
/// reader of the table cannot verify someone else's address.
pub fn digest(user_id: &str, code: &Code) -> String {
    digest_for(Purpose::VerifyEmail, user_id, code)
}

pub fn digest_for(purpose: Purpose, user_id: &str, code: &Code) -> String {
    crate::domain::sha256_hex(&[purpose.salt(), user_id.as_bytes(), b"\0", code.0.as_bytes()])
}

/// Equal-length strings compared without an early exit, so timing says nothing of
/// how much of a digest matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A verification waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub user_id: String,
    pub digest: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub attempts: u32,
    /// Unix seconds of the last mail.
    pub sent_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No pending verification, expired, or the wrong code: one answer for all three,
    /// so the endpoint tells nothing about which addresses have accounts.
    InvalidCode,
    TooManyAttempts,
}

impl From<Refusal> for ShopError {
    fn from(r: Refusal) -> ShopError {
        match r {
            Refusal::InvalidCode => FieldError::new("code", "is wrong or has expired").into(),
            Refusal::TooManyAttempts => ShopError::Conflict(
                "too many wrong codes; ask for a new one with POST /auth/verify/resend".into(),
            ),
        }
    }
}

/// Whether `code` verifies `pending` at `now`. The attempt it represents must already
/// be counted (the store does that conditionally, before the comparison).
pub fn check(pending: &Pending, code: &Code, now: i64) -> Result<(), Refusal> {
    check_for(Purpose::VerifyEmail, pending, code, now)
}

/// [`check`] of a code mailed for `purpose`.
pub fn check_for(
    purpose: Purpose,
    pending: &Pending,
    code: &Code,
    now: i64,
) -> Result<(), Refusal> {
    if now >= pending.expires_at {
        return Err(Refusal::InvalidCode);
    }
    if pending.attempts > MAX_ATTEMPTS {
        return Err(Refusal::TooManyAttempts);
    }
    if !same(
        &pending.digest,
        &digest_for(purpose, &pending.user_id, code),
    ) {
        return Err(Refusal::InvalidCode);
    }
    Ok(())
}

/// Why no attempt could be counted against `pending` (absent, expired or locked).
pub fn refusal(pending: Option<&Pending>, now: i64) -> Refusal {
    match pending {
        Some(p) if now < p.expires_at && p.attempts >= MAX_ATTEMPTS => Refusal::TooManyAttempts,
        _ => Refusal::InvalidCode,
    }
}

/// Whether a new code may be mailed now.
pub fn may_resend(pending: &Pending, now: i64) -> bool {
    now - pending.sent_at >= RESEND_AFTER_SECONDS
}

/// `POST /auth/verify` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyInput {
    pub email: String,
    pub code: String,
}

/// `POST /auth/verify/resend` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResendInput {
    pub email: String,
}

impl VerifyInput {
    /// A malformed email or code can match nothing: the same answer as a wrong code.
    pub fn parse(&self) -> Result<(String, Code), ShopError> {
        let email = parse_email(&self.email).map_err(|_| Refusal::InvalidCode)?;
        let code = Code::parse(&self.code).ok_or(Refusal::InvalidCode)?;
        Ok((email, code))
    }
}

impl ResendInput {
    pub fn parse(&self) -> Result<String, ShopError> {
        Ok(parse_email(&self.email)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(code: &Code) -> Pending {
        Pending {
            user_id: "u-1".into(),
            digest: digest("u-1", code),
            expires_at: 1_000,
            attempts: 1,
            sent_at: 100,
        }
    }

    #[test]
    fn codes_are_six_digits_with_leading_zeros() {
        assert_eq!(Code::from_random(7).expose(), "000007");
        assert_eq!(Code::from_random(u128::MAX).expose().len(), 6);
        assert_eq!(Code::parse(" 012345 ").unwrap().expose(), "012345");
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert!(Code::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn the_right_code_in_time_verifies() {
        let code = Code::from_random(123_456);
        assert_eq!(check(&pending(&code), &code, 999), Ok(()));
    }

    #[test]
    fn a_wrong_or_late_code_is_one_refusal() {
        let code = Code::from_random(123_456);
        let other = Code::from_random(654_321);
        assert_eq!(
            check(&pending(&code), &other, 999),
            Err(Refusal::InvalidCode)
        );
        assert_eq!(
            check(&pending(&code), &code, 1_000),
            Err(Refusal::InvalidCode)
        );
    }

    #[test]
    fn a_digest_is_bound_to_its_account() {
        let code = Code::from_random(42);
        assert_ne!(digest("u-1", &code), digest("u-2", &code));
        let mut p = pending(&code);
        p.user_id = "u-2".into();
        assert_eq!(check(&p, &code, 999), Err(Refusal::InvalidCode));
    }

    #[test]
    fn attempts_beyond_the_cap_are_refused_even_with_the_right_code() {
        let code = Code::from_random(1);
        let mut p = pending(&code);
        p.attempts = MAX_ATTEMPTS;
        assert_eq!(check(&p, &code, 999), Ok(()));
        p.attempts = MAX_ATTEMPTS + 1;
        assert_eq!(check(&p, &code, 999), Err(Refusal::TooManyAttempts));
    }

    #[test]
    fn a_locked_verification_says_so_and_anything_else_is_a_wrong_code() {
        let mut p = pending(&Code::from_random(1));
        assert_eq!(refusal(None, 0), Refusal::InvalidCode);
        assert_eq!(refusal(Some(&p), 999), Refusal::InvalidCode);
        p.attempts = MAX_ATTEMPTS;
        assert_eq!(refusal(Some(&p), 999), Refusal::TooManyAttempts);
        assert_eq!(refusal(Some(&p), 1_000), Refusal::InvalidCode, "expired");
    }

    #[test]
    fn a_code_mailed_for_one_purpose_never_passes_for_another() {
        let code = Code::from_random(42);
        let p = Pending {
            digest: digest_for(Purpose::ResetPassword, "u-1", &code),
            ..pending(&code)
        };
        assert_eq!(check_for(Purpose::ResetPassword, &p, &code, 999), Ok(()));
        assert_eq!(check(&p, &code, 999), Err(Refusal::InvalidCode));
        assert_eq!(
            check_for(Purpose::ChangeEmail, &p, &code, 999),
            Err(Refusal::InvalidCode)
        );
    }

    #[test]
    fn codes_never_appear_in_debug_output() {
        let code = Code::from_random(987_654);
        assert!(!format!("{code:?}").contains("987654"));
    }

    #[test]
    fn a_new_code_waits_for_the_resend_interval() {
        let p = pending(&Code::from_random(1));
        assert!(!may_resend(&p, 100 + RESEND_AFTER_SECONDS - 1));
        assert!(may_resend(&p, 100 + RESEND_AFTER_SECONDS));
    }

    #[test]
    fn malformed_input_is_a_wrong_code() {
        let input = VerifyInput {
            email: "not an email".into(),
            code: "123456".into(),
        };
        assert!(matches!(input.parse(), Err(ShopError::Invalid(_))));
        let input = VerifyInput {
            email: "ada@example.com".into(),
            code: "12".into(),
        };
        assert!(matches!(input.parse(), Err(ShopError::Invalid(_))));
    }
}
