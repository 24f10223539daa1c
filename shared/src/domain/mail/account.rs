//! Mails about the account itself: codes for a password reset or a new address, and the
//! security notices after a change. Transactional: sent whatever the marketing preference.

use serde::{Deserialize, Serialize};

use super::Rendered;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    PasswordReset,
    EmailChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AccountChange {
    /// The password was reset with a mailed code; every session was signed out.
    PasswordReset,
    /// Told to the old address: the account now signs in with `new_email` (masked).
    EmailChanged { new_email: String },
    /// The account was deleted at its owner's request.
    AccountDeleted,
}

pub(super) fn render_verification(
    shop_name: &str,
    (to, name): (&str, &str),
    code: &str,
    expires_in_minutes: u32,
) -> Rendered {
    Rendered {
        to: to.to_owned(),
        subject: format!("Your {shop_name} verification code: {code}"),
        text: format!(
            "Hello {name},\n\n\
             Your verification code is {code}. It expires in {expires_in_minutes} minutes.\n\n\
             If you did not create an account at {shop_name}, ignore this mail: \
             without the code, no account can be used with this address.\n"
        ),
    }
}

pub(super) fn render_code(
    shop_name: &str,
    (to, name): (&str, &str),
    purpose: CodePurpose,
    code: &str,
    expires_in_minutes: u32,
) -> Rendered {
    let (subject, what, otherwise) = match purpose {
        CodePurpose::PasswordReset => (
            format!("Your {shop_name} password reset code: {code}"),
            "Someone asked to reset the password of your account",
            "If it was not you, ignore this mail: your password stays as it is.",
        ),
        CodePurpose::EmailChange => (
            format!("Confirm your new {shop_name} address: {code}"),
            "Your account asked to move to this address",
            "If you did not ask for it, ignore this mail: nothing changes without the code.",
        ),
    };
    Rendered {
        to: to.to_owned(),
        subject,
        text: format!(
            "Hello {name},\n\n{what}. Your code is {code}; it expires in \
             {expires_in_minutes} minutes.\n\n{otherwise}\n"
        ),
    }
}

pub(super) fn render_change(
    shop_name: &str,
    (to, name): (&str, &str),
    change: &AccountChange,
) -> Rendered {
    let (subject, text) = match change {
        AccountChange::PasswordReset => (
            format!("{shop_name}: your password was changed"),
            "Your password was reset with a code mailed to this address, and every \
             session of your account was signed out. If it was not you, reset it again at \
             once and contact us."
                .to_owned(),
        ),
        AccountChange::EmailChanged { new_email } => (
            format!("{shop_name}: your sign-in address was changed"),
            format!(
                "Your account now signs in with {new_email}; this address no longer does. \
                 If it was not you, contact us at once."
            ),
        ),
        AccountChange::AccountDeleted => (
            format!("{shop_name}: your account was deleted"),
            "Your account and its personal data were deleted as you asked. Orders stay \
             on record without your name or address, as the law asks of a shop."
                .to_owned(),
        ),
    };
    Rendered {
        to: to.to_owned(),
        subject,
        text: format!("Hello {name},\n\n{text}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Mail;
    use super::*;

    #[test]
    fn codes_say_what_they_are_for_and_notices_what_changed() {
        let reset = Mail::AccountCode {
            to: "ada@example.com".into(),
            name: "Ada".into(),
            purpose: CodePurpose::PasswordReset,
            code: "012345".into(),
            expires_in_minutes: 15,
        };
        let r = reset.render("Shop");
        assert!(r.subject.contains("password reset code: 012345"));
        assert!(r.text.contains("expires in 15 minutes"));
        let moved = Mail::AccountChanged {
            to: "ada@example.com".into(),
            name: "Ada".into(),
            change: AccountChange::EmailChanged {
                new_email: "n***@example.org".into(),
            },
        };
        assert!(moved.render("Shop").text.contains("n***@example.org"));
        let json = moved.to_queue();
        assert_eq!(Mail::from_queue(&json).unwrap(), moved);
    }
}
