//! Registration and sign-in, delegated to the identity provider (Amazon Cognito
//! in AWS; moto's Cognito locally). Passwords go to the provider and nowhere else:
//! the shop's table holds only a profile keyed by the provider's `sub`.
//! Who may call: anyone (anonymous).

use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType};
use aws_sdk_cognitoidentityprovider::Client as CognitoClient;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::{FieldError, ShopError, Validator};
use crate::ids::UserId;
use crate::store::{now_rfc3339, Profile, Store};

#[derive(Clone, Debug)]
pub struct IdentityProvider {
    pub client: CognitoClient,
    pub user_pool_id: String,
    pub client_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub name: String,
    /// `customer` (default) or `seller`. Nobody registers as admin.
    pub role: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    pub token_type: &'static str,
    /// Send as `Authorization: Bearer <idToken>`: it carries the email and groups.
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i32,
}

/// A plausible address: the provider confirms it; we only refuse what cannot be one.
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

pub fn parse_password(raw: &str) -> Result<&str, FieldError> {
    let len = raw.chars().count();
    if !(8..=128).contains(&len) {
        return Err(FieldError::new("password", "must be 8 to 128 characters"));
    }
    Ok(raw)
}

fn parse_role(raw: Option<&str>) -> Result<Role, FieldError> {
    match raw.unwrap_or("customer") {
        "customer" => Ok(Role::Customer),
        "seller" => Ok(Role::Seller),
        _ => Err(FieldError::new("role", "must be customer or seller")),
    }
}

fn parse_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

fn provider_error(err: impl std::error::Error + Send + Sync + 'static) -> ShopError {
    ShopError::internal(aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(
        err,
    ))
}

pub async fn register(
    idp: &IdentityProvider,
    store: &Store,
    input: RegisterInput,
) -> Result<Profile, ShopError> {
    let mut v = Validator::default();
    let email = v.check(parse_email(&input.email));
    let password = v.check(parse_password(&input.password));
    let name = v.check(parse_name(&input.name));
    let role = v.check(parse_role(input.role.as_deref()));
    v.finish()?;
    let (Some(email), Some(password), Some(name), Some(role)) = (email, password, name, role)
    else {
        return Err(ShopError::internal(
            "registration input missing after validation",
        ));
    };
    let signed_up = idp
        .client
        .sign_up()
        .client_id(&idp.client_id)
        .username(&email)
        .password(password)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(&email)
                .build()
                .map_err(ShopError::internal)?,
        )
        .user_attributes(
            AttributeType::builder()
                .name("name")
                .value(&name)
                .build()
                .map_err(ShopError::internal)?,
        )
        .send()
        .await
        .map_err(|err| match err.as_service_error() {
            Some(e) if e.is_username_exists_exception() => {
                ShopError::Conflict("an account with this email exists".into())
            }
            Some(e) if e.is_invalid_password_exception() => {
                FieldError::new("password", "is too weak for the password policy").into()
            }
            Some(e) if e.is_invalid_parameter_exception() => ShopError::Malformed(e.to_string()),
            _ => provider_error(err),
        })?;
    let user_id = UserId::parse(signed_up.user_sub()).map_err(ShopError::internal)?;
    let profile = Profile {
        user_id,
        email,
        name,
        role: role.as_str().to_owned(),
        created_at: now_rfc3339(),
    };
    if let Err(err) = finish_registration(idp, store, &profile, role).await {
        // Undo the sign-up so the same email can register again, instead of leaving an
        // account without its group (which would silently act as a mere customer).
        let undo = idp
            .client
            .admin_delete_user()
            .user_pool_id(&idp.user_pool_id)
            .username(&profile.email)
            .send()
            .await;
        if let Err(undo_err) = undo {
            tracing::error!(error = %provider_error(undo_err), "could not undo a half-done registration");
        }
        return Err(err);
    }
    Ok(profile)
}

/// Confirms the account, puts it in its role's group (the token's `cognito:groups`
/// claim, which only the provider's admin API can set) and stores the profile.
async fn finish_registration(
    idp: &IdentityProvider,
    store: &Store,
    profile: &Profile,
    role: Role,
) -> Result<(), ShopError> {
    idp.client
        .admin_confirm_sign_up()
        .user_pool_id(&idp.user_pool_id)
        .username(&profile.email)
        .send()
        .await
        .map_err(provider_error)?;
    idp.client
        .admin_add_user_to_group()
        .user_pool_id(&idp.user_pool_id)
        .username(&profile.email)
        .group_name(role.as_str())
        .send()
        .await
        .map_err(provider_error)?;
    store.put_profile(profile).await
}

pub async fn login(idp: &IdentityProvider, input: LoginInput) -> Result<Tokens, ShopError> {
    let email = parse_email(&input.email).map_err(|_| ShopError::InvalidCredentials)?;
    let out = idp
        .client
        .initiate_auth()
        .client_id(&idp.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &email)
        .auth_parameters("PASSWORD", &input.password)
        .send()
        .await
        .map_err(|err| match err.as_service_error() {
            Some(e)
                if e.is_not_authorized_exception()
                    || e.is_user_not_found_exception()
                    || e.is_user_not_confirmed_exception()
                    || e.is_password_reset_required_exception() =>
            {
                ShopError::InvalidCredentials
            }
            _ => provider_error(err),
        })?;
    let result = out
        .authentication_result()
        .ok_or(ShopError::InvalidCredentials)?;
    Ok(Tokens {
        token_type: "Bearer",
        id_token: result
            .id_token()
            .ok_or_else(|| ShopError::internal("no id token"))?
            .to_owned(),
        access_token: result
            .access_token()
            .ok_or_else(|| ShopError::internal("no access token"))?
            .to_owned(),
        refresh_token: result.refresh_token().map(str::to_owned),
        expires_in: result.expires_in(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(parse_password("short").is_err());
        assert!(parse_password(&"x".repeat(129)).is_err());
        assert!(parse_password("correct horse").is_ok());
    }

    #[test]
    fn nobody_registers_as_admin() {
        assert_eq!(parse_role(None).unwrap(), Role::Customer);
        assert_eq!(parse_role(Some("seller")).unwrap(), Role::Seller);
        assert!(parse_role(Some("admin")).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name(" Ada ").unwrap(), "Ada");
        assert!(parse_name("  ").is_err());
        assert!(parse_name(&"n".repeat(101)).is_err());
    }
}
