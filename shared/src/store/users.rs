//! User profiles: the shop's own record of a user, keyed by the identity provider's `sub`.
//! Credentials never live here; the identity provider holds them. A profile is written
//! when its email is verified (`complete_verification`).

use serde::{Deserialize, Serialize};

use super::keys;
use super::{key, Read, Store};
use crate::domain::auth::Role;
use crate::domain::error::ShopError;
use crate::domain::ids::UserId;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

impl Store {
    pub async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, ShopError> {
        self.read(key(keys::user_pk(user), keys::PROFILE_SK), Read::Eventual)
            .await
    }
}
