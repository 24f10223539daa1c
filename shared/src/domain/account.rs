//! What a person sends to recover or change their account: a forgotten password's reset
//! and a change of email address, both proven by a code mailed to the address (the
//! rules of `verification`: 6 digits, 15 minutes, 5 tries, a new code at most once a
//! minute), and the account's deletion.

use serde::Deserialize;
use std::fmt;

use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::identity::{parse_email, Password};
use crate::domain::order::{Address, OrderStatus};
use crate::domain::reviews::FORMER_CUSTOMER;
use crate::domain::verification::{Code, Refusal};

/// Whether an order in `status` keeps its customer's account from being deleted: until
/// it is delivered or cancelled the shop still needs the person (payment, mails, the
/// address its parcels go to).
pub fn blocks_deletion(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::PendingPayment
            | OrderStatus::Confirmed
            | OrderStatus::PartiallyShipped
            | OrderStatus::Shipped
            | OrderStatus::PartiallyDelivered
    )
}

/// An order's address once its customer deleted the account: the person's name and
/// street are gone; the city, region, postal code and country stay (where the sale was
/// made: what tax records need).
pub fn erased_address(address: &Address) -> Address {
    Address {
        name: FORMER_CUSTOMER.to_owned(),
        line1: "(erased)".to_owned(),
        line2: None,
        ..address.clone()
    }
}

/// `POST /auth/password/forgot` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForgotPasswordInput {
    pub email: String,
}

impl ForgotPasswordInput {
    pub fn parse(&self) -> Result<String, ShopError> {
        Ok(parse_email(&self.email)?)
    }
}

/// `POST /auth/password/reset` as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetPasswordInput {
    pub email: String,
    pub code: String,
    pub new_password: String,
}

impl fmt::Debug for ResetPasswordInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetPasswordInput")
            .field("email", &self.email)
            .field("code", &"<redacted>")
            .field("new_password", &"<redacted>")
            .finish()
    }
}

/// A checked reset: the address, the code and the new password.
#[derive(Debug)]
pub struct PasswordReset {
    pub email: String,
    pub code: Code,
    pub new_password: Password,
}

impl ResetPasswordInput {
    /// A malformed address or code can match nothing: the same answer as a wrong code.
    /// A password the rules refuse is reported as such (it says nothing of the account).
    pub fn parse(&self) -> Result<PasswordReset, ShopError> {
        let mut v = Validator::default();
        let password = v.check(
            Password::parse(&self.new_password)
                .map_err(|e| FieldError::new("newPassword", &e.message)),
        );
        v.finish()?;
        let email = parse_email(&self.email).map_err(|_| Refusal::InvalidCode)?;
        let code = Code::parse(&self.code).ok_or(Refusal::InvalidCode)?;
        match password {
            Some(new_password) => Ok(PasswordReset {
                email,
                code,
                new_password,
            }),
            None => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

/// `POST /me/email` as sent: the new address, and the current password (a stolen
/// session alone cannot move the account).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailChangeInput {
    pub new_email: String,
    pub password: String,
}

impl fmt::Debug for EmailChangeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailChangeInput")
            .field("new_email", &self.new_email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl EmailChangeInput {
    pub fn parse(&self) -> Result<(String, Password), ShopError> {
        let mut v = Validator::default();
        let email = v.check(
            parse_email(&self.new_email).map_err(|e| FieldError::new("newEmail", &e.message)),
        );
        let password = v.check(Password::parse(&self.password));
        v.finish()?;
        match (email, password) {
            (Some(e), Some(p)) => Ok((e, p)),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

/// `POST /me/email/verify` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailCodeInput {
    pub code: String,
}

impl EmailCodeInput {
    pub fn parse(&self) -> Result<Code, ShopError> {
        Ok(Code::parse(&self.code).ok_or(Refusal::InvalidCode)?)
    }
}

/// An address as a mail to its old owner shows it: enough to recognise, not to harvest
/// (`ada.lovelace@example.com` → `a***@example.com`).
pub fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_checks_the_new_password_and_hides_everything_secret() {
        let input = ResetPasswordInput {
            email: "Ada@Example.com".into(),
            code: "012345".into(),
            new_password: "short".into(),
        };
        assert!(matches!(input.parse(), Err(ShopError::Invalid(e)) if e[0].field == "newPassword"));
        let ok = ResetPasswordInput {
            new_password: "Long-enough-1".into(),
            ..input
        };
        let reset = ok.parse().unwrap();
        assert_eq!(reset.email, "ada@example.com");
        let shown = format!("{ok:?} {reset:?}");
        assert!(
            !shown.contains("012345") && !shown.contains("Long-enough-1"),
            "{shown}"
        );
    }

    #[test]
    fn a_malformed_code_is_a_wrong_code() {
        let input = ResetPasswordInput {
            email: "ada@example.com".into(),
            code: "12ab".into(),
            new_password: "Long-enough-1".into(),
        };
        assert!(matches!(input.parse(), Err(ShopError::Invalid(e)) if e[0].field == "code"));
        assert!(EmailCodeInput { code: "1".into() }.parse().is_err());
    }

    #[test]
    fn an_email_change_needs_an_address_and_the_password() {
        let input = EmailChangeInput {
            new_email: "nope".into(),
            password: "x".into(),
        };
        match input.parse() {
            Err(ShopError::Invalid(e)) => {
                assert_eq!(
                    e.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
                    ["newEmail", "password"]
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(!format!("{input:?}").contains("\"x\""));
    }

    #[test]
    fn only_finished_orders_let_an_account_go_and_keep_only_the_place_of_sale() {
        assert!(blocks_deletion(OrderStatus::PendingPayment));
        assert!(blocks_deletion(OrderStatus::Shipped));
        assert!(!blocks_deletion(OrderStatus::Delivered));
        assert!(!blocks_deletion(OrderStatus::Cancelled));
        assert!(!blocks_deletion(OrderStatus::Returned));
        let address = Address {
            name: "Ada Lovelace".into(),
            line1: "1 Rue de Rivoli".into(),
            line2: Some("Flat 2".into()),
            city: "Paris".into(),
            region: None,
            postal_code: "75001".into(),
            country: "FR".into(),
        };
        let erased = erased_address(&address);
        assert_eq!(
            (erased.name.as_str(), erased.line1.as_str(), erased.line2),
            ("former customer", "(erased)", None)
        );
        assert_eq!(
            (erased.postal_code.as_str(), erased.country.as_str()),
            ("75001", "FR")
        );
    }

    #[test]
    fn old_addresses_are_masked() {
        assert_eq!(masked("ada.lovelace@example.com"), "a***@example.com");
        assert_eq!(masked("nonsense"), "***");
    }
}
