//! Sellers, the marketplace's supply side. Registering as a seller is an application:
//! the account starts `pending` and may list nothing until an administrator approves
//! it. An administrator may suspend an approved seller, whose listings then leave the
//! catalog, and reinstate it (approve again), which brings back exactly the listings
//! the suspension withdrew.

use serde::{Deserialize, Serialize};

use crate::domain::catalog::RatingSummary;
use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::{SellerId, UserId};
use crate::domain::order::{Address, AddressInput};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SellerStatus {
    Pending,
    Approved,
    Suspended,
}

impl SellerStatus {
    pub const ALL: [SellerStatus; 3] = [
        SellerStatus::Pending,
        SellerStatus::Approved,
        SellerStatus::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SellerStatus::Pending => "pending",
            SellerStatus::Approved => "approved",
            SellerStatus::Suspended => "suspended",
        }
    }

    /// The `status` query parameter of an administrator's listing.
    pub fn parse(raw: &str) -> Result<SellerStatus, FieldError> {
        SellerStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| FieldError::new("status", "must be pending, approved or suspended"))
    }

    /// Why an account in this state may not list, change or import products.
    pub fn may_sell(self) -> Result<(), ShopError> {
        match self {
            SellerStatus::Approved => Ok(()),
            SellerStatus::Pending => Err(ShopError::Forbidden(
                "the seller account awaits an administrator's approval",
            )),
            SellerStatus::Suspended => Err(ShopError::Forbidden("the seller account is suspended")),
        }
    }
}

/// What an administrator does to a seller account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SellerAction {
    /// Admit a pending seller, or reinstate a suspended one.
    Approve,
    /// Stop a seller from selling (an application may be refused this way too).
    Suspend,
}

/// What happens to the seller's listings when its account reaches a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingEffect {
    /// Listings the seller had active leave the catalog, marked as withdrawn by the suspension.
    Withdraw,
    /// Listings a suspension withdrew come back.
    Restore,
}

/// The status an action leads to from `from`, and what it does to the listings. The
/// listings' effect holds even when the status is unchanged: repeating an action
/// finishes one that stopped halfway (its status written, some listings not yet),
/// and withdrawing or restoring a listing twice changes nothing.
pub fn transition(from: SellerStatus, action: SellerAction) -> (SellerStatus, ListingEffect) {
    match (from, action) {
        (_, SellerAction::Approve) => (SellerStatus::Approved, ListingEffect::Restore),
        (_, SellerAction::Suspend) => (SellerStatus::Suspended, ListingEffect::Withdraw),
    }
}

/// A seller account as stored, keyed by its public id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Seller {
    pub seller_id: SellerId,
    pub user_id: UserId,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub status: SellerStatus,
    pub joined_at: String,
    pub status_changed_at: String,
    /// A placeholder until reviews of sellers exist (a later issue fills it).
    #[serde(default)]
    pub rating: RatingSummary,
    /// Where the carrier collects this seller's parcels; a shipment cannot be marked
    /// ready without one.
    #[serde(default)]
    pub pickup_address: Option<Address>,
    /// Working days the seller takes to pack an order (delivery estimates count them).
    #[serde(default = "default_handling_days")]
    pub handling_days: u8,
    /// Bumped on every write; writes are conditional on the version read.
    pub version: u64,
}

impl Seller {
    /// A new application, as the account's owner proves its email address.
    pub fn application(user_id: &UserId, display_name: &str, now: &str) -> Seller {
        Seller {
            seller_id: SellerId::of(user_id),
            user_id: user_id.clone(),
            display_name: display_name.to_owned(),
            description: String::new(),
            status: SellerStatus::Pending,
            joined_at: now.to_owned(),
            status_changed_at: now.to_owned(),
            rating: RatingSummary::default(),
            pickup_address: None,
            handling_days: DEFAULT_HANDLING_DAYS,
            version: 1,
        }
    }

    pub fn public_view(&self) -> PublicSeller {
        PublicSeller {
            id: self.seller_id.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            rating_count: self.rating.count,
            rating_average_x100: self.rating.average_x100(),
            rating: self.rating.view(),
            joined_at: self.joined_at.clone(),
        }
    }

    /// The account as its owner (and an administrator) sees it: never the `sub`.
    pub fn account_view(&self) -> SellerAccount {
        SellerAccount {
            id: self.seller_id.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            status: self.status,
            joined_at: self.joined_at.clone(),
            status_changed_at: self.status_changed_at.clone(),
            rating_count: self.rating.count,
            rating_average_x100: self.rating.average_x100(),
            pickup_address: self.pickup_address.clone(),
            handling_days: self.handling_days,
            version: self.version,
        }
    }
}

/// `GET /sellers/{id}`: what any shopper may see of an approved seller.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicSeller {
    pub id: SellerId,
    pub display_name: String,
    pub description: String,
    pub rating_count: u64,
    pub rating_average_x100: Option<u64>,
    /// Customers' ratings of its delivered shipments (approved ones): count, average, histogram.
    pub rating: crate::domain::catalog::RatingView,
    pub joined_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SellerAccount {
    pub id: SellerId,
    pub display_name: String,
    pub description: String,
    pub status: SellerStatus,
    pub joined_at: String,
    pub status_changed_at: String,
    pub rating_count: u64,
    pub rating_average_x100: Option<u64>,
    pub pickup_address: Option<Address>,
    pub handling_days: u8,
    pub version: u64,
}

/// Working days a seller takes to pack an order until it says otherwise.
pub const DEFAULT_HANDLING_DAYS: u8 = 1;
/// The most handling days a seller may state.
pub const MAX_HANDLING_DAYS: u8 = 10;

fn default_handling_days() -> u8 {
    DEFAULT_HANDLING_DAYS
}

/// `PATCH /seller/profile` as sent: the fields to change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfilePatchInput {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub pickup_address: Option<AddressInput>,
    pub handling_days: Option<i64>,
}

/// A valid profile change: at least one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub pickup_address: Option<Address>,
    pub handling_days: Option<u8>,
}

pub const MAX_DISPLAY_NAME_CHARS: usize = 80;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

impl ProfilePatchInput {
    pub fn parse(&self) -> Result<ProfilePatch, ShopError> {
        if self.display_name.is_none()
            && self.description.is_none()
            && self.pickup_address.is_none()
            && self.handling_days.is_none()
        {
            return Err(ShopError::Malformed(
                "send at least one of displayName, description, pickupAddress, handlingDays".into(),
            ));
        }
        let mut v = Validator::default();
        let display_name = self
            .display_name
            .as_deref()
            .and_then(|raw| v.check(parse_display_name(raw)));
        let description = self
            .description
            .as_deref()
            .and_then(|raw| v.check(parse_description(raw)));
        let pickup_address = self
            .pickup_address
            .as_ref()
            .and_then(|a| a.parse_as(&mut v, "pickupAddress"));
        let handling_days = self.handling_days.and_then(|days| {
            v.check(
                u8::try_from(days)
                    .ok()
                    .filter(|d| *d <= MAX_HANDLING_DAYS)
                    .ok_or_else(|| {
                        FieldError::new(
                            "handlingDays",
                            &format!("must be a whole number from 0 to {MAX_HANDLING_DAYS}"),
                        )
                    }),
            )
        });
        v.finish()?;
        Ok(ProfilePatch {
            display_name,
            description,
            pickup_address,
            handling_days,
        })
    }
}

impl ProfilePatch {
    pub fn apply(&self, seller: &Seller) -> Seller {
        Seller {
            display_name: self
                .display_name
                .clone()
                .unwrap_or_else(|| seller.display_name.clone()),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| seller.description.clone()),
            pickup_address: self
                .pickup_address
                .clone()
                .or_else(|| seller.pickup_address.clone()),
            handling_days: self.handling_days.unwrap_or(seller.handling_days),
            version: seller.version + 1,
            ..seller.clone()
        }
    }
}

fn parse_display_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let len = name.chars().count();
    if !(2..=MAX_DISPLAY_NAME_CHARS).contains(&len) || name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "displayName",
            &format!(
                "must be 2 to {MAX_DISPLAY_NAME_CHARS} characters, without control characters"
            ),
        ));
    }
    Ok(name.to_owned())
}

fn parse_description(raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    // Line breaks are the description's paragraphs; other control characters are not text.
    if text.chars().count() > MAX_DESCRIPTION_CHARS
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(FieldError::new(
            "description",
            &format!("must be at most {MAX_DESCRIPTION_CHARS} characters of text"),
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests;
