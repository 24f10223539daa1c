//! User profiles and address books: the shop's own record of a user, keyed by the
//! identity provider's `sub`. Credentials never live here; the identity provider holds
//! them. A profile is written when its email is verified (`complete_verification`).
//!
//! Every change of the profile or its address book goes through the profile item with
//! a condition on its `profileRev` and raises it: the book's size and its default are
//! decided on a read and written only if nothing changed since, so two concurrent adds
//! cannot make a 21st address or two defaults.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, ReturnValue, Update};
use serde::{Deserialize, Serialize};

use super::keys;
use super::{build, from_item, key, n, s, to_item, tx, updated, value, Read, Store, TxOutcome};
use crate::domain::auth::Role;
use crate::domain::error::ShopError;
use crate::domain::ids::{AddressId, UserId};
use crate::domain::profile::{
    AddressBook, DefaultChange, Editable, Phone, Preferences, SavedAddress,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub preferences: Preferences,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The address book's default and size, and the profile's revision: written only by
    /// conditional updates (never by a whole-item put, which could undo a concurrent one).
    #[serde(default, skip_serializing)]
    pub default_address_id: Option<AddressId>,
    #[serde(default, skip_serializing)]
    pub address_count: usize,
    #[serde(default, skip_serializing)]
    pub profile_rev: u64,
}

impl Profile {
    /// A new account's profile, with the default preferences and an empty address book.
    pub fn new(
        user_id: UserId,
        email: String,
        name: String,
        role: Role,
        created_at: String,
    ) -> Self {
        Profile {
            user_id,
            email,
            name,
            role,
            created_at,
            phone: None,
            preferences: Preferences::default(),
            updated_at: None,
            default_address_id: None,
            address_count: 0,
            profile_rev: 0,
        }
    }

    pub fn editable(&self) -> Editable {
        Editable {
            name: self.name.clone(),
            phone: self.phone.clone(),
            preferences: self.preferences.clone(),
        }
    }

    pub fn address_book(&self) -> AddressBook {
        AddressBook {
            count: self.address_count,
            default: self.default_address_id.clone(),
        }
    }
}

/// An update of the profile item guarded by its revision: `SET`s and `REMOVE`s by
/// attribute name (every name goes through a placeholder: `name` is a reserved word).
struct ProfileUpdate {
    set: Vec<(&'static str, AttributeValue)>,
    remove: Vec<&'static str>,
}

impl ProfileUpdate {
    fn new() -> Self {
        ProfileUpdate {
            set: Vec::new(),
            remove: Vec::new(),
        }
    }

    fn default_change(mut self, change: &DefaultChange) -> Self {
        match change {
            DefaultChange::Keep => {}
            DefaultChange::Set(id) => self.set.push(("defaultAddressId", s(id.as_str()))),
            DefaultChange::Clear => self.remove.push("defaultAddressId"),
        }
        self
    }

    /// The expression parts: update expression, condition, names and values.
    fn parts(
        mut self,
        rev: u64,
    ) -> (
        String,
        String,
        HashMap<String, String>,
        HashMap<String, AttributeValue>,
    ) {
        self.set.push(("profileRev", n(rev + 1)));
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        let mut sets = Vec::new();
        for (i, (attr, v)) in self.set.into_iter().enumerate() {
            names.insert(format!("#s{i}"), attr.to_owned());
            values.insert(format!(":s{i}"), v);
            sets.push(format!("#s{i} = :s{i}"));
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !self.remove.is_empty() {
            let removes: Vec<String> = self
                .remove
                .iter()
                .enumerate()
                .map(|(i, attr)| {
                    names.insert(format!("#r{i}"), (*attr).to_owned());
                    format!("#r{i}")
                })
                .collect();
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        names.insert("#rev".into(), "profileRev".into());
        let condition = if rev == 0 {
            "attribute_exists(PK) AND attribute_not_exists(#rev)".to_owned()
        } else {
            values.insert(":rev".into(), n(rev));
            "attribute_exists(PK) AND #rev = :rev".to_owned()
        };
        (expression, condition, names, values)
    }
}

fn address_item(user: &UserId, entry: &SavedAddress) -> Result<super::Item, ShopError> {
    to_item(
        entry,
        keys::user_pk(user),
        keys::address_sk(&entry.id),
        "address",
    )
}

impl Store {
    pub async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, ShopError> {
        self.read(key(keys::user_pk(user), keys::PROFILE_SK), Read::Eventual)
            .await
    }

    /// The profile as last written: for a change decided on it.
    pub async fn current_profile(&self, user: &UserId) -> Result<Option<Profile>, ShopError> {
        self.read(key(keys::user_pk(user), keys::PROFILE_SK), Read::Consistent)
            .await
    }

    /// Writes the editable fields if the profile is still at `rev`; `None` if it moved.
    pub async fn update_profile(
        &self,
        user: &UserId,
        rev: u64,
        next: &Editable,
        now: &str,
    ) -> Result<Option<Profile>, ShopError> {
        let mut update = ProfileUpdate::new();
        update.set.push(("name", s(next.name.as_str())));
        update.set.push(("preferences", value(&next.preferences)?));
        update.set.push(("updatedAt", s(now)));
        match &next.phone {
            Some(phone) => update.set.push(("phone", s(phone.as_str()))),
            None => update.remove.push("phone"),
        }
        let (expression, condition, names, values) = update.parts(rev);
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK)))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        updated(result)
    }

    /// The address the account now signs in with (after its change was proven). Not
    /// guarded by the revision: no other write of the profile touches `email`.
    pub async fn set_profile_email(&self, user: &UserId, email: &str) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK)))
            .update_expression("SET email = :email")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":email", s(email))
            .send()
            .await
            .map_err(super::sdk_error)?;
        Ok(())
    }

    fn guarded_profile(
        &self,
        user: &UserId,
        rev: u64,
        update: ProfileUpdate,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, ShopError> {
        let (expression, condition, names, values) = update.parts(rev);
        Ok(tx(build(
            Update::builder()
                .table_name(self.table())
                .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK)))
                .update_expression(expression)
                .condition_expression(condition)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                .build(),
        )?))
    }

    /// The address book, oldest entry first (ids are UUIDv7).
    pub async fn addresses(&self, user: &UserId) -> Result<Vec<SavedAddress>, ShopError> {
        let items = self
            .query_prefix(keys::user_pk(user), keys::ADDRESS_PREFIX, true)
            .await?;
        items.into_iter().map(from_item).collect()
    }

    pub async fn saved_address(
        &self,
        user: &UserId,
        id: &AddressId,
    ) -> Result<Option<SavedAddress>, ShopError> {
        self.read(
            key(keys::user_pk(user), keys::address_sk(id)),
            Read::Consistent,
        )
        .await
    }

    /// Adds `entry` as the book's `count + 1`-th address if the profile is still at `rev`;
    /// `false` if it moved (the caller reads again and decides again).
    pub async fn add_address(
        &self,
        user: &UserId,
        rev: u64,
        entry: &SavedAddress,
        count: usize,
        default: &DefaultChange,
    ) -> Result<bool, ShopError> {
        let item = address_item(user, entry)?;
        let mut update = ProfileUpdate::new().default_change(default);
        update.set.push(("addressCount", n(count + 1)));
        let actions = vec![
            self.put_new(item)?,
            self.guarded_profile(user, rev, update)?,
        ];
        Ok(matches!(
            self.try_transact(actions).await?,
            TxOutcome::Written
        ))
    }

    /// Replaces an existing entry if the profile is still at `rev`; `false` otherwise.
    pub async fn replace_address(
        &self,
        user: &UserId,
        rev: u64,
        entry: &SavedAddress,
        default: &DefaultChange,
    ) -> Result<bool, ShopError> {
        let item = address_item(user, entry)?;
        let put = tx(build(
            Put::builder()
                .table_name(self.table())
                .set_item(Some(item))
                .condition_expression("attribute_exists(PK)")
                .build(),
        )?);
        let update = ProfileUpdate::new().default_change(default);
        let actions = vec![put, self.guarded_profile(user, rev, update)?];
        Ok(matches!(
            self.try_transact(actions).await?,
            TxOutcome::Written
        ))
    }

    /// Deletes an existing entry, the book then holding `count - 1`, if the profile is
    /// still at `rev`; `false` otherwise.
    pub async fn delete_address(
        &self,
        user: &UserId,
        rev: u64,
        id: &AddressId,
        count: usize,
        default: &DefaultChange,
    ) -> Result<bool, ShopError> {
        let delete = tx(build(
            Delete::builder()
                .table_name(self.table())
                .set_key(Some(key(keys::user_pk(user), keys::address_sk(id))))
                .condition_expression("attribute_exists(PK)")
                .build(),
        )?);
        let mut update = ProfileUpdate::new().default_change(default);
        update
            .set
            .push(("addressCount", n(count.saturating_sub(1))));
        let actions = vec![delete, self.guarded_profile(user, rev, update)?];
        Ok(matches!(
            self.try_transact(actions).await?,
            TxOutcome::Written
        ))
    }
}
