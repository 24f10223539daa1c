//! Mailed codes for account operations other than the first verification: a password
//! reset (`EMAIL#<email>` / `PASSWORDRESET`: the address is all the person sends back)
//! and a change of address (`USER#<sub>` / `EMAILCHANGE`: the signed-in owner sends the
//! code). Same rules and writes as the email verification: attempts counted and codes
//! replaced conditionally, the record expiring by TTL; a code is spent by a conditional
//! delete on its digest, so it works once.

use serde::{Deserialize, Serialize};

use super::keys;
use super::{conditional, key, s, to_item, Item, Read, Store};
use crate::domain::error::ShopError;
use crate::domain::ids::UserId;
use crate::domain::verification::Pending;

/// Where a code record lives.
#[derive(Debug, Clone)]
pub enum CodeKey<'a> {
    PasswordReset { email: &'a str },
    EmailChange { user: &'a UserId },
}

impl CodeKey<'_> {
    fn item(&self) -> Item {
        match self {
            CodeKey::PasswordReset { email } => key(keys::email_pk(email), keys::PASSWORD_RESET_SK),
            CodeKey::EmailChange { user } => key(keys::user_pk(user), keys::EMAIL_CHANGE_SK),
        }
    }

    fn entity(&self) -> &'static str {
        match self {
            CodeKey::PasswordReset { .. } => "passwordReset",
            CodeKey::EmailChange { .. } => "emailChange",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CodeRecord {
    pub user_id: UserId,
    /// The address the code went to: the account's (a reset) or the new one (a change).
    pub email: String,
    pub digest: String,
    /// Unix seconds; also the table's TTL attribute.
    pub expires_at: i64,
    pub attempts: u32,
    pub sent_at: i64,
}

impl CodeRecord {
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
    /// Starts (or restarts) a code: any earlier code and count are replaced.
    pub async fn put_code(&self, at: &CodeKey<'_>, record: &CodeRecord) -> Result<(), ShopError> {
        let mut item = to_item(record, String::new(), String::new(), at.entity())?;
        item.extend(at.item());
        self.put(item).await
    }

    pub async fn get_code(&self, at: &CodeKey<'_>) -> Result<Option<CodeRecord>, ShopError> {
        self.read(at.item(), Read::Consistent).await
    }

    /// One attempt counted; the record after it, or `None` (none, expired or locked).
    pub async fn count_code(
        &self,
        at: &CodeKey<'_>,
        now: i64,
    ) -> Result<Option<CodeRecord>, ShopError> {
        self.count_code_attempt(at.item(), now).await
    }

    /// A new code for `user_id`'s record if the last went out at or before `sent_before`.
    pub async fn replace_code_record(
        &self,
        at: &CodeKey<'_>,
        user_id: &UserId,
        digest: &str,
        expires_at: i64,
        now: i64,
        sent_before: i64,
    ) -> Result<bool, ShopError> {
        self.replace_code_at(at.item(), user_id, digest, expires_at, now, sent_before)
            .await
    }

    /// Spends the code: deletes the record if it still holds `digest`; `false` when
    /// another request spent it (or a new code replaced it) first.
    pub async fn spend_code(&self, at: &CodeKey<'_>, digest: &str) -> Result<bool, ShopError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(at.item()))
            .condition_expression("digest = :digest")
            .expression_attribute_values(":digest", s(digest))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }
}
