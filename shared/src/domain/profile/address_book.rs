//! A person's address book: at most [`MAX_ADDRESSES`] saved addresses, each checked as
//! checkout checks one, and which of them is the default.

use serde::{Deserialize, Serialize};

use super::present;
use crate::domain::error::{ShopError, Validator};
use crate::domain::ids::AddressId;
use crate::domain::order::input::optional_text;
use crate::domain::order::{Address, AddressInput};

/// Most saved addresses per account: a book, not a log of every address ever typed.
pub const MAX_ADDRESSES: usize = 20;
pub const MAX_LABEL: usize = 40;

/// `POST /me/addresses` as sent. The address is checked exactly as checkout checks one.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAddressInput {
    pub label: Option<String>,
    pub is_default: Option<bool>,
    pub address: AddressInput,
}

/// `PATCH /me/addresses/{id}` as sent: a new label (`null` removes it), a new address
/// (whole, checked as checkout checks one), or `isDefault`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressPatchInput {
    #[serde(default, deserialize_with = "present")]
    pub label: Option<Option<String>>,
    pub is_default: Option<bool>,
    pub address: Option<AddressInput>,
}

/// A checked new address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAddress {
    pub label: Option<String>,
    pub is_default: Option<bool>,
    pub address: Address,
}

/// A checked address change; `None` keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressPatch {
    pub label: Option<Option<String>>,
    pub is_default: Option<bool>,
    pub address: Option<Address>,
}

fn label(v: &mut Validator, raw: Option<&str>) -> Option<Option<String>> {
    optional_text(v, "label", raw, MAX_LABEL)
}

impl NewAddressInput {
    pub fn parse(self) -> Result<NewAddress, ShopError> {
        let mut v = Validator::default();
        let label = label(&mut v, self.label.as_deref());
        let address = self.address.parse_as(&mut v, "address");
        v.finish()?;
        match (label, address) {
            (Some(label), Some(address)) => Ok(NewAddress {
                label,
                is_default: self.is_default,
                address,
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

impl AddressPatchInput {
    pub fn parse(self) -> Result<AddressPatch, ShopError> {
        let mut v = Validator::default();
        let label = match self.label {
            None => Some(None),
            Some(raw) => label(&mut v, raw.as_deref()).map(Some),
        };
        let address = match self.address {
            None => Some(None),
            Some(a) => a.parse_as(&mut v, "address").map(Some),
        };
        v.finish()?;
        match (label, address) {
            (Some(label), Some(address)) => Ok(AddressPatch {
                label,
                is_default: self.is_default,
                address,
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

/// An entry of the address book as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedAddress {
    pub id: AddressId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub address: Address,
    pub created_at: String,
    pub updated_at: String,
}

/// The address book as a whole: its entries and which one is the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressBook {
    pub count: usize,
    pub default: Option<AddressId>,
}

/// What an address-book write does to the book's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultChange {
    Keep,
    Set(AddressId),
    Clear,
}

impl AddressBook {
    /// Whether another address fits.
    pub fn check_room(&self) -> Result<(), ShopError> {
        if self.count >= MAX_ADDRESSES {
            return Err(ShopError::Conflict(format!(
                "an address book holds at most {MAX_ADDRESSES} addresses; delete one first"
            )));
        }
        Ok(())
    }

    /// A new address becomes the default when asked, or when the book has none (the
    /// first address saved is the default until another is chosen).
    pub fn on_add(&self, id: &AddressId, wants_default: Option<bool>) -> DefaultChange {
        if wants_default.unwrap_or(self.default.is_none()) {
            DefaultChange::Set(id.clone())
        } else {
            DefaultChange::Keep
        }
    }

    /// `isDefault: true` makes the address the default; `false` on the default leaves the
    /// book without one; otherwise nothing changes.
    pub fn on_edit(&self, id: &AddressId, wants_default: Option<bool>) -> DefaultChange {
        let is_default = self.default.as_ref() == Some(id);
        match wants_default {
            Some(true) if !is_default => DefaultChange::Set(id.clone()),
            Some(false) if is_default => DefaultChange::Clear,
            _ => DefaultChange::Keep,
        }
    }

    /// Deleting the default leaves the book without one: which address is next is the
    /// person's choice, not the shop's guess.
    pub fn on_delete(&self, id: &AddressId) -> DefaultChange {
        if self.default.as_ref() == Some(id) {
            DefaultChange::Clear
        } else {
            DefaultChange::Keep
        }
    }
}

impl SavedAddress {
    pub fn edited(&self, patch: &AddressPatch, now: &str) -> SavedAddress {
        SavedAddress {
            id: self.id.clone(),
            label: patch.label.clone().unwrap_or_else(|| self.label.clone()),
            address: patch
                .address
                .clone()
                .unwrap_or_else(|| self.address.clone()),
            created_at: self.created_at.clone(),
            updated_at: now.to_owned(),
        }
    }
}
