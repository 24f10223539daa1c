//! Pending email verifications, keyed by the address (what the customer sends back
//! with the code). Attempts are counted and codes replaced by conditional writes, so
//! concurrent guesses cannot exceed the cap and a resend cannot come early.

use aws_sdk_dynamodb::types::{Delete, Put};
use serde::{Deserialize, Serialize};

use super::keys;
use super::{build, conditional, key, n, s, to_item, tx, updated, Read, Store};
use crate::domain::auth::Role;
use crate::domain::error::ShopError;
use crate::domain::ids::UserId;
use crate::domain::verification::{Pending, MAX_ATTEMPTS};
use crate::store::Profile;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRecord {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub digest: String,
    /// Unix seconds; also the table's TTL attribute.
    pub expires_at: i64,
    pub attempts: u32,
    pub sent_at: i64,
}

impl VerificationRecord {
    pub fn pending(&self) -> Pending {
        Pending {
            user_id: self.user_id.as_str().to_owned(),
            digest: self.digest.clone(),
            expires_at: self.expires_at,
            attempts: self.attempts,
            sent_at: self.sent_at,
        }
    }
}

impl Store {
    /// Starts (or restarts) a verification: any earlier code and count are replaced.
    pub async fn put_verification(&self, record: &VerificationRecord) -> Result<(), ShopError> {
        let item = to_item(
            record,
            keys::email_pk(&record.email),
            keys::VERIFICATION_SK.to_owned(),
            "emailVerification",
        )?;
        self.put(item).await
    }

    pub async fn get_verification(
        &self,
        email: &str,
    ) -> Result<Option<VerificationRecord>, ShopError> {
        self.read(
            key(keys::email_pk(email), keys::VERIFICATION_SK),
            Read::Consistent,
        )
        .await
    }

    /// Counts one attempt against an unexpired verification and returns it as it is
    /// after the count; `None` when there is none, it expired, or it is locked
    /// (`MAX_ATTEMPTS` counted already).
    pub async fn count_attempt(
        &self,
        email: &str,
        now: i64,
    ) -> Result<Option<VerificationRecord>, ShopError> {
        self.count_code_attempt(key(keys::email_pk(email), keys::VERIFICATION_SK), now)
            .await
    }

    /// Counts one attempt against the unexpired, unlocked code record at `at`, and
    /// returns the record as it is after the count (`None`: none, expired or locked).
    pub(super) async fn count_code_attempt<T: serde::de::DeserializeOwned>(
        &self,
        at: super::Item,
        now: i64,
    ) -> Result<Option<T>, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(at))
            .update_expression("SET attempts = attempts + :one")
            .condition_expression("attribute_exists(PK) AND expiresAt > :now AND attempts < :max")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":max", n(MAX_ATTEMPTS))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        updated(result)
    }

    /// Replaces the code of `user_id`'s verification if the last one was sent at or
    /// before `sent_before`; `false` when there is none for that account or it is too soon.
    pub async fn replace_code(
        &self,
        email: &str,
        user_id: &UserId,
        digest: &str,
        expires_at: i64,
        now: i64,
        sent_before: i64,
    ) -> Result<bool, ShopError> {
        let at = key(keys::email_pk(email), keys::VERIFICATION_SK);
        self.replace_code_at(at, user_id, digest, expires_at, now, sent_before)
            .await
    }

    /// A new code (its digest, expiry and zero attempts) for the record at `at`, if it
    /// belongs to `user_id` and its last code went out at or before `sent_before`.
    pub(super) async fn replace_code_at(
        &self,
        at: super::Item,
        user_id: &UserId,
        digest: &str,
        expires_at: i64,
        now: i64,
        sent_before: i64,
    ) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(at))
            .update_expression(
                "SET digest = :digest, expiresAt = :expires, attempts = :zero, sentAt = :now",
            )
            .condition_expression("userId = :user AND sentAt <= :cutoff")
            .expression_attribute_values(":digest", s(digest))
            .expression_attribute_values(":expires", n(expires_at))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":user", s(user_id.as_str()))
            .expression_attribute_values(":cutoff", n(sent_before))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Ends a verification: the profile is stored (with a seller's application, for a
    /// seller) and the pending item removed, together.
    pub async fn complete_verification(
        &self,
        email: &str,
        profile: &Profile,
        application: Option<&crate::domain::seller::Seller>,
    ) -> Result<(), ShopError> {
        let profile_item = to_item(
            profile,
            keys::user_pk(&profile.user_id),
            keys::PROFILE_SK.to_owned(),
            "profile",
        )?;
        let put = build(
            Put::builder()
                .table_name(self.table())
                .set_item(Some(profile_item))
                .build(),
        )?;
        let delete = build(
            Delete::builder()
                .table_name(self.table())
                .set_key(Some(key(keys::email_pk(email), keys::VERIFICATION_SK)))
                .condition_expression("userId = :user")
                .expression_attribute_values(":user", s(profile.user_id.as_str()))
                .build(),
        )?;
        let mut actions = vec![tx(put), tx(delete)];
        if let Some(seller) = application {
            actions.push(self.seller_application(seller)?);
        }
        self.transact(actions, |_| {
            ShopError::Conflict("the verification changed meanwhile; retry".into())
        })
        .await
    }
}
