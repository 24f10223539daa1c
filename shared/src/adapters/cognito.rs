//! The identity provider: Amazon Cognito in AWS, moto's Cognito locally (the SDK's
//! `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` points there). Only this module
//! knows Cognito's API; use cases speak of accounts, passwords and groups.

use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, MessageActionType};
use aws_sdk_cognitoidentityprovider::Client;
use serde::Serialize;

use crate::domain::auth::Role;
use crate::domain::error::{FieldError, ShopError};
use crate::domain::identity::{Credentials, Password, Registration};
use crate::domain::ids::UserId;

/// The identity provider as the use cases speak of it: accounts, passwords, groups.
/// Cognito in the functions ([`Cognito`]), a recording fake in the service tests.
#[async_trait::async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Creates the account, disabled until its email is verified, and returns its `sub`;
    /// `Ok(None)`: an account with this email exists.
    async fn create_unverified(
        &self,
        registration: &Registration,
    ) -> Result<Option<UserId>, ShopError>;
    /// Whether the account of `email` exists and was never verified.
    async fn is_unverified(&self, email: &str) -> Result<bool, ShopError>;
    /// Marks the email verified and enables the account: it may sign in from now on.
    async fn mark_verified(&self, email: &str) -> Result<(), ShopError>;
    /// Puts the account in `role`'s group.
    async fn add_to_group(&self, email: &str, role: Role) -> Result<(), ShopError>;
    async fn delete(&self, email: &str) -> Result<(), ShopError>;
    /// Password sign-in; every kind of refusal is the same answer.
    async fn sign_in(&self, credentials: &Credentials) -> Result<Tokens, ShopError>;
    /// The account that signs in with `email`, if any.
    async fn find(&self, email: &str) -> Result<Option<Account>, ShopError>;
    /// Sets a new password (permanent: no change is forced at the next sign-in).
    async fn set_password(&self, email: &str, password: &Password) -> Result<(), ShopError>;
    /// Signs every session of the account out: its refresh and access tokens stop working.
    async fn sign_out_everywhere(&self, email: &str) -> Result<(), ShopError>;
    /// Moves the account to `new_email`, proven: it signs in with that address from now on.
    async fn change_email(&self, email: &str, new_email: &str) -> Result<(), ShopError>;
    /// Disables the account: it cannot sign in (the step before its deletion).
    async fn disable(&self, email: &str) -> Result<(), ShopError>;

    /// Deletes the account, logging (not returning) a failure: used to undo.
    async fn delete_logged(&self, email: &str) {
        if let Err(err) = self.delete(email).await {
            tracing::error!(error = %err, "could not delete a half-made account");
        }
    }
}

/// An account as the identity provider knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: UserId,
    pub email_verified: bool,
    pub enabled: bool,
}

/// [`IdentityProvider`] in a Cognito user pool.
#[derive(Clone, Debug)]
pub struct Cognito {
    client: Client,
    user_pool_id: String,
    client_id: String,
}

/// What a successful sign-in returns to the caller.
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

fn provider_error(err: impl std::error::Error + Send + Sync + 'static) -> ShopError {
    ShopError::internal(DisplayErrorContext(err))
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, ShopError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(ShopError::internal)
}

impl Cognito {
    pub fn new(client: Client, user_pool_id: String, client_id: String) -> Self {
        Cognito {
            client,
            user_pool_id,
            client_id,
        }
    }
}

#[async_trait::async_trait]
impl IdentityProvider for Cognito {
    /// Creates the account, disabled until its email is verified, and returns its
    /// `sub`. The pool refuses Cognito's public `SignUp` (admin-created users only), so
    /// this is the only way in. `Ok(None)`: an account with this email exists.
    ///
    /// Order matters: the account is disabled before it gets a password anyone knows,
    /// so at no moment can it sign in unverified.
    async fn create_unverified(
        &self,
        registration: &Registration,
    ) -> Result<Option<UserId>, ShopError> {
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(&registration.email)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attribute("email", &registration.email)?)
            .user_attributes(attribute("email_verified", "false")?)
            .user_attributes(attribute("name", &registration.name)?)
            .send()
            .await;
        let user = match created {
            Ok(out) => out
                .user
                .ok_or_else(|| ShopError::internal("AdminCreateUser returned no user"))?,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_username_exists_exception()) =>
            {
                return Ok(None)
            }
            Err(err) => {
                return Err(match err.as_service_error() {
                    Some(e) if e.is_invalid_parameter_exception() => {
                        ShopError::Malformed(e.to_string())
                    }
                    _ => provider_error(err),
                })
            }
        };
        let sub = user
            .attributes()
            .iter()
            .find(|a| a.name() == "sub")
            .and_then(|a| a.value())
            .ok_or_else(|| ShopError::internal("AdminCreateUser returned no sub"))?;
        let user_id = UserId::parse(sub).map_err(ShopError::internal)?;
        let rest = async {
            self.client
                .admin_disable_user()
                .user_pool_id(&self.user_pool_id)
                .username(&registration.email)
                .send()
                .await
                .map_err(provider_error)?;
            self.client
                .admin_set_user_password()
                .user_pool_id(&self.user_pool_id)
                .username(&registration.email)
                .password(registration.password.expose())
                .permanent(true)
                .send()
                .await
                .map_err(|err| match err.as_service_error() {
                    Some(e) if e.is_invalid_password_exception() => {
                        FieldError::new("password", "is too weak for the password policy").into()
                    }
                    _ => provider_error(err),
                })?;
            Ok::<_, ShopError>(())
        };
        if let Err(err) = rest.await {
            self.delete_logged(&registration.email).await;
            return Err(err);
        }
        Ok(Some(user_id))
    }

    /// Whether the account of `email` is still waiting for its email to be verified
    /// (never true of a verified account an operator disabled).
    async fn is_unverified(&self, email: &str) -> Result<bool, ShopError> {
        let out = self
            .client
            .admin_get_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
            .map_err(provider_error)?;
        let verified = out
            .user_attributes()
            .iter()
            .any(|a| a.name() == "email_verified" && a.value() == Some("true"));
        Ok(!verified && !out.enabled())
    }

    /// The email is proven: mark it verified and let the account sign in.
    async fn mark_verified(&self, email: &str) -> Result<(), ShopError> {
        self.client
            .admin_update_user_attributes()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .user_attributes(attribute("email_verified", "true")?)
            .send()
            .await
            .map_err(provider_error)?;
        self.client
            .admin_enable_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
            .map_err(provider_error)?;
        Ok(())
    }

    /// Puts the account in `role`'s group: the token's `cognito:groups` claim, which
    /// only the provider's admin API can set.
    async fn add_to_group(&self, email: &str, role: Role) -> Result<(), ShopError> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .group_name(role.as_str())
            .send()
            .await
            .map_err(provider_error)?;
        Ok(())
    }

    async fn delete(&self, email: &str) -> Result<(), ShopError> {
        self.client
            .admin_delete_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
            .map_err(provider_error)?;
        Ok(())
    }

    /// Password sign-in. Every kind of refusal is the same answer, so sign-in does
    /// not tell which accounts exist.
    async fn sign_in(&self, credentials: &Credentials) -> Result<Tokens, ShopError> {
        let out = self
            .client
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", &credentials.email)
            .auth_parameters("PASSWORD", &credentials.password)
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
        let token = |t: Option<&str>, what: &str| {
            t.map(str::to_owned)
                .ok_or_else(|| ShopError::internal(format!("no {what} token")))
        };
        Ok(Tokens {
            token_type: "Bearer",
            id_token: token(result.id_token(), "id")?,
            access_token: token(result.access_token(), "access")?,
            refresh_token: result.refresh_token().map(str::to_owned),
            expires_in: result.expires_in(),
        })
    }

    async fn find(&self, email: &str) -> Result<Option<Account>, ShopError> {
        let out = match self
            .client
            .admin_get_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_user_not_found_exception()) =>
            {
                return Ok(None)
            }
            Err(err) => return Err(provider_error(err)),
        };
        let attr = |name: &str| {
            out.user_attributes()
                .iter()
                .find(|a| a.name() == name)
                .and_then(|a| a.value())
        };
        let sub = attr("sub").ok_or_else(|| ShopError::internal("AdminGetUser returned no sub"))?;
        Ok(Some(Account {
            user_id: UserId::parse(sub).map_err(ShopError::internal)?,
            email_verified: attr("email_verified") == Some("true"),
            enabled: out.enabled(),
        }))
    }

    async fn set_password(&self, email: &str, password: &Password) -> Result<(), ShopError> {
        self.client
            .admin_set_user_password()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .password(password.expose())
            .permanent(true)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_invalid_password_exception() => {
                    FieldError::new("newPassword", "is too weak for the password policy").into()
                }
                _ => provider_error(err),
            })?;
        Ok(())
    }

    async fn sign_out_everywhere(&self, email: &str) -> Result<(), ShopError> {
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
            .map_err(provider_error)?;
        Ok(())
    }

    async fn change_email(&self, email: &str, new_email: &str) -> Result<(), ShopError> {
        self.client
            .admin_update_user_attributes()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .user_attributes(attribute("email", new_email)?)
            .user_attributes(attribute("email_verified", "true")?)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_alias_exists_exception() => {
                    ShopError::Conflict("an account with this email exists".into())
                }
                _ => provider_error(err),
            })?;
        Ok(())
    }

    async fn disable(&self, email: &str) -> Result<(), ShopError> {
        self.client
            .admin_disable_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
            .map_err(provider_error)?;
        Ok(())
    }
}
