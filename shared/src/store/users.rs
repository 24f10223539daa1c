//! User profiles: the shop's own record of a user, keyed by the identity provider's `sub`.
//! Credentials never live here; the identity provider holds them.

use serde::{Deserialize, Serialize};

use super::keys;
use super::{conditional, from_item, key, sdk_error, to_item, Store};
use crate::domain::error::ShopError;
use crate::domain::ids::UserId;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: String,
}

impl Store {
    /// Creates the profile once; a repeated registration keeps the first one.
    pub async fn put_profile(&self, profile: &Profile) -> Result<(), ShopError> {
        let item = to_item(
            profile,
            keys::user_pk(&profile.user_id),
            keys::PROFILE_SK.into(),
            "profile",
        )?;
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        conditional(result).map(|_| ())
    }

    pub async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, ShopError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK)))
            .send()
            .await
            .map_err(sdk_error)?;
        out.item.map(from_item).transpose()
    }
}
