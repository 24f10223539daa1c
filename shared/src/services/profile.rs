//! A person's own profile and address book. Who may call: any signed-in user, on their
//! own account only — every key is built from the verified `sub`, never from input, so
//! an address id of someone else's is simply not found.

use serde::Serialize;

use crate::clock::now_rfc3339;
use crate::domain::auth::{Caller, Role};
use crate::domain::error::ShopError;
use crate::domain::ids::{AddressId, UserId};
use crate::domain::order::Address;
use crate::domain::profile::{
    AddressPatch, DefaultChange, NewAddress, Phone, Preferences, ProfilePatch, SavedAddress,
};
use crate::store::{Profile, Store};

/// Attempts at a write decided on the profile's revision, when a concurrent change of
/// the same account moved it (another tab editing the book at the same moment).
const ATTEMPTS: u32 = 4;

/// `GET /me`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub phone: Option<Phone>,
    pub preferences: Preferences,
    pub default_address_id: Option<AddressId>,
    pub address_count: usize,
    pub created_at: String,
    pub updated_at: Option<String>,
}

impl From<Profile> for Me {
    fn from(p: Profile) -> Me {
        Me {
            user_id: p.user_id,
            email: p.email,
            name: p.name,
            role: p.role,
            phone: p.phone,
            preferences: p.preferences,
            default_address_id: p.default_address_id,
            address_count: p.address_count,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// An address book entry as shown.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressView {
    #[serde(flatten)]
    pub entry: SavedAddress,
    pub is_default: bool,
}

fn no_profile() -> ShopError {
    ShopError::NotFound("profile")
}

fn changed_meanwhile() -> ShopError {
    ShopError::Conflict("the account changed meanwhile; retry".into())
}

async fn profile(store: &Store, caller: &Caller) -> Result<Profile, ShopError> {
    store
        .current_profile(&caller.user_id)
        .await?
        .ok_or_else(no_profile)
}

pub async fn me(store: &Store, caller: &Caller) -> Result<Me, ShopError> {
    Ok(store
        .get_profile(&caller.user_id)
        .await?
        .ok_or_else(no_profile)?
        .into())
}

pub async fn update_me(
    store: &Store,
    caller: &Caller,
    patch: ProfilePatch,
) -> Result<Me, ShopError> {
    for _ in 0..ATTEMPTS {
        let current = profile(store, caller).await?;
        let next = patch.apply(&current.editable());
        if next == current.editable() {
            return Ok(current.into());
        }
        let written = store
            .update_profile(&caller.user_id, current.profile_rev, &next, &now_rfc3339())
            .await?;
        if let Some(profile) = written {
            return Ok(profile.into());
        }
    }
    Err(changed_meanwhile())
}

pub async fn list_addresses(store: &Store, caller: &Caller) -> Result<Vec<AddressView>, ShopError> {
    let (current, entries) =
        tokio::try_join!(profile(store, caller), store.addresses(&caller.user_id))?;
    Ok(entries
        .into_iter()
        .map(|entry| AddressView {
            is_default: current.default_address_id.as_ref() == Some(&entry.id),
            entry,
        })
        .collect())
}

pub async fn add_address(
    store: &Store,
    caller: &Caller,
    new: NewAddress,
) -> Result<AddressView, ShopError> {
    let now = now_rfc3339();
    let entry = SavedAddress {
        id: AddressId::generate(),
        label: new.label,
        address: new.address,
        created_at: now.clone(),
        updated_at: now,
    };
    for _ in 0..ATTEMPTS {
        let current = profile(store, caller).await?;
        let book = current.address_book();
        book.check_room()?;
        let default = book.on_add(&entry.id, new.is_default);
        if store
            .add_address(
                &caller.user_id,
                current.profile_rev,
                &entry,
                book.count,
                &default,
            )
            .await?
        {
            return Ok(AddressView {
                is_default: default == DefaultChange::Set(entry.id.clone()),
                entry,
            });
        }
    }
    Err(changed_meanwhile())
}

pub async fn update_address(
    store: &Store,
    caller: &Caller,
    id: &AddressId,
    patch: AddressPatch,
) -> Result<AddressView, ShopError> {
    for _ in 0..ATTEMPTS {
        let (current, entry) = tokio::try_join!(
            profile(store, caller),
            store.saved_address(&caller.user_id, id)
        )?;
        let entry = entry.ok_or(ShopError::NotFound("address"))?;
        let book = current.address_book();
        let default = book.on_edit(id, patch.is_default);
        let edited = entry.edited(&patch, &now_rfc3339());
        if store
            .replace_address(&caller.user_id, current.profile_rev, &edited, &default)
            .await?
        {
            let is_default = match default {
                DefaultChange::Set(_) => true,
                DefaultChange::Clear => false,
                DefaultChange::Keep => book.default.as_ref() == Some(id),
            };
            return Ok(AddressView {
                entry: edited,
                is_default,
            });
        }
    }
    Err(changed_meanwhile())
}

pub async fn delete_address(
    store: &Store,
    caller: &Caller,
    id: &AddressId,
) -> Result<(), ShopError> {
    for _ in 0..ATTEMPTS {
        let (current, entry) = tokio::try_join!(
            profile(store, caller),
            store.saved_address(&caller.user_id, id)
        )?;
        if entry.is_none() {
            return Err(ShopError::NotFound("address"));
        }
        let book = current.address_book();
        let default = book.on_delete(id);
        if store
            .delete_address(
                &caller.user_id,
                current.profile_rev,
                id,
                book.count,
                &default,
            )
            .await?
        {
            return Ok(());
        }
    }
    Err(changed_meanwhile())
}

/// The caller's saved address `id`, for an order or a quote; 422 naming the field when
/// there is none (the id is part of the request's body, not its path).
pub async fn address_for_order(
    store: &Store,
    caller: &Caller,
    id: &AddressId,
) -> Result<Address, ShopError> {
    match store.saved_address(&caller.user_id, id).await? {
        Some(entry) => Ok(entry.address),
        None => Err(ShopError::Invalid(vec![
            crate::domain::error::FieldError::new(
                "shippingAddressId",
                "is not an address in your address book",
            ),
        ])),
    }
}
