//! Registration and sign-in input: what an account needs, checked before any call
//! to the identity provider. Passwords are carried, never shown: the input types
//! print them as `<redacted>` so no log line (at any level) can hold one.

use serde::Deserialize;
use std::fmt;

use crate::domain::auth::Role;
use crate::domain::error::{FieldError, ShopError, Validator};

/// `POST /auth/register` as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub name: String,
    /// `customer` (default) or `seller`. Nobody registers as admin.
    pub role: Option<String>,
}

/// `POST /auth/login` as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

/// A password on its way to the identity provider; its `Debug` never shows it.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Password, FieldError> {
        let len = raw.chars().count();
        if !(8..=128).contains(&len) {
            return Err(FieldError::new("password", "must be 8 to 128 characters"));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for RegisterInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterInput")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish()
    }
}

impl fmt::Debug for LoginInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginInput")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A valid registration.
#[derive(Debug)]
pub struct Registration {
    pub email: String,
    pub password: Password,
    pub name: String,
    pub role: Role,
}

impl RegisterInput {
    pub fn parse(&self) -> Result<Registration, ShopError> {
        let mut v = Validator::default();
        let email = v.check(parse_email(&self.email));
        let password = v.check(Password::parse(&self.password));
        let name = v.check(parse_name(&self.name));
        let role = v.check(parse_self_assigned_role(self.role.as_deref()));
        v.finish()?;
        match (email, password, name, role) {
            (Some(email), Some(password), Some(name), Some(role)) => Ok(Registration {
                email,
                password,
                name,
                role,
            }),
            _ => Err(ShopError::internal(
                "registration input missing after validation",
            )),
        }
    }
}

/// Credentials to try. A malformed email cannot belong to an account: the answer is
/// the same as for a wrong password, so sign-in reveals nothing about accounts.
pub struct Credentials {
    pub email: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl LoginInput {
    pub fn parse(&self) -> Result<Credentials, ShopError> {
        let email = parse_email(&self.email).map_err(|_| ShopError::InvalidCredentials)?;
        Ok(Credentials {
            email,
            password: self.password.clone(),
        })
    }
}

/// A plausible address: ownership is proven by the code mailed to it; here we only
/// refuse what cannot be one.
pub fn parse_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    let bad = || FieldError::new("email", "must be an email address");
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if email.len() > 254
        || local.is_empty()
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
        || domain.contains('@')
    {
        return Err(bad());
    }
    Ok(email)
}

/// The roles a person may pick at registration; admin is granted only by an operator.
fn parse_self_assigned_role(raw: Option<&str>) -> Result<Role, FieldError> {
    let bad = || FieldError::new("role", "must be customer or seller");
    match Role::parse(raw.unwrap_or(Role::Customer.as_str())) {
        Some(role) if role.self_assignable() => Ok(role),
        _ => Err(bad()),
    }
}

fn parse_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str, password: &str, name: &str, role: Option<&str>) -> RegisterInput {
        RegisterInput {
            email: email.into(),
            password: password.into(),
            name: name.into(),
            role: role.map(str::to_owned),
        }
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            parse_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
    }

    #[test]
    fn non_emails_are_rejected() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@com",
            "ada@.com",
            "a da@example.com",
            "a@b@c.com",
            "ada@example.",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_length_is_bounded() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("correct horse").is_ok());
    }

    #[test]
    fn nobody_registers_as_admin() {
        assert_eq!(parse_self_assigned_role(None).unwrap(), Role::Customer);
        assert_eq!(
            parse_self_assigned_role(Some("seller")).unwrap(),
            Role::Seller
        );
        assert!(parse_self_assigned_role(Some("admin")).is_err());
        assert!(parse_self_assigned_role(Some("Seller")).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name(" Ada ").unwrap(), "Ada");
        assert!(parse_name("  ").is_err());
        assert!(parse_name(&"n".repeat(101)).is_err());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        match input("nope", "short", " ", Some("admin")).parse() {
            Err(ShopError::Invalid(errors)) => assert_eq!(errors.len(), 4),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn passwords_never_appear_in_debug_output() {
        let secret = "Sup3r-secret-pw";
        let raw = input("ada@example.com", secret, "Ada", None);
        assert!(!format!("{raw:?}").contains(secret));
        let parsed = raw.parse().unwrap();
        assert!(!format!("{parsed:?}").contains(secret));
        assert_eq!(parsed.password.expose(), secret);
        let login = LoginInput {
            email: "ada@example.com".into(),
            password: secret.into(),
        };
        assert!(!format!("{login:?}").contains(secret));
        assert!(!format!("{:?}", login.parse().unwrap()).contains(secret));
    }
}
