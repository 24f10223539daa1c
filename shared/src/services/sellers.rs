//! Seller accounts. Who may call: a public profile, anyone; one's own account and
//! listings, a signed-in seller (pending and suspended ones too: they may prepare and
//! look, not sell); listing accounts and approving or suspending them, administrators.

use futures_util::future::join_all;
use serde::Serialize;

use crate::clock::{now_rfc3339, now_sortable};
use crate::domain::auth::{Caller, Role};
use crate::domain::catalog::{Product, ProductStatus, ProductSummary};
use crate::domain::error::ShopError;
use crate::domain::ids::{SellerId, UserId};
use crate::domain::seller::{
    transition, ListingEffect, ProfilePatch, PublicSeller, Seller, SellerAccount, SellerAction,
    SellerStatus,
};
use crate::store::{Page, Store};

/// Listings changed at once while a status change sweeps them.
const SWEEP_PAGE: i32 = 100;

pub(crate) fn require_seller_role(caller: &Caller) -> Result<(), ShopError> {
    if caller.has(Role::Seller) {
        Ok(())
    } else {
        Err(ShopError::Forbidden("only sellers have a seller account"))
    }
}

fn require_admin(caller: &Caller) -> Result<(), ShopError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ShopError::Forbidden("only administrators manage sellers"))
    }
}

/// The caller's own seller account.
async fn own(store: &Store, caller: &Caller) -> Result<Seller, ShopError> {
    require_seller_role(caller)?;
    store
        .get_seller(&SellerId::of(&caller.user_id))
        .await?
        .ok_or(ShopError::NotFound("seller account"))
}

/// Where a seller is written to about its orders: the address its account was verified
/// with, and its display name (its profile's name when it has no seller account); `None`
/// (logged) for a seller without a profile.
pub(crate) async fn seller_contact(
    store: &Store,
    seller: &UserId,
    seller_id: &SellerId,
) -> Result<Option<(String, String)>, ShopError> {
    let Some(profile) = store.get_profile(seller).await? else {
        tracing::warn!(seller_id = %seller_id, "the seller has no profile to write to");
        return Ok(None);
    };
    let name = store
        .get_seller(seller_id)
        .await?
        .map(|s| s.display_name)
        .unwrap_or(profile.name);
    Ok(Some((profile.email, name)))
}

/// The caller's seller account, which must be approved: every product write and import
/// asks this first, so a pending or suspended seller changes nothing in the catalog.
pub async fn require_approved(store: &Store, caller: &Caller) -> Result<Seller, ShopError> {
    require_seller_role(caller)?;
    let seller = store
        .get_seller(&SellerId::of(&caller.user_id))
        .await?
        .ok_or(ShopError::Forbidden(
            "the account has no seller application; register as a seller",
        ))?;
    seller.status.may_sell()?;
    Ok(seller)
}

/// `GET /sellers/{id}`: approved sellers only; others look absent.
pub async fn public_profile(store: &Store, id: &SellerId) -> Result<PublicSeller, ShopError> {
    match store.get_seller(id).await? {
        Some(seller) if seller.status == SellerStatus::Approved => Ok(seller.public_view()),
        _ => Err(ShopError::NotFound("seller")),
    }
}

pub async fn own_account(store: &Store, caller: &Caller) -> Result<SellerAccount, ShopError> {
    Ok(own(store, caller).await?.account_view())
}

pub async fn update_profile(
    store: &Store,
    caller: &Caller,
    patch: ProfilePatch,
) -> Result<SellerAccount, ShopError> {
    let current = own(store, caller).await?;
    let updated = patch.apply(&current);
    store.put_seller(&updated, current.version).await?;
    Ok(updated.account_view())
}

/// A seller's own listing, whatever its status: what a seller's dashboard shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SellerListing {
    #[serde(flatten)]
    pub summary: ProductSummary,
    pub status: ProductStatus,
    /// Why the listing is out of the catalog whatever its status says, if it is held.
    pub hold: Option<crate::domain::catalog::ListingHold>,
    pub updated_at: String,
    pub version: u64,
}

impl SellerListing {
    fn of(product: Product) -> SellerListing {
        SellerListing {
            summary: product.summary(),
            status: product.status,
            hold: product.hold,
            updated_at: product.updated_at,
            version: product.version,
        }
    }
}

pub async fn own_products(
    store: &Store,
    caller: &Caller,
    status: Option<ProductStatus>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<SellerListing>, ShopError> {
    require_seller_role(caller)?;
    store
        .seller_products(&caller.user_id, status, limit, cursor)
        .await?
        .map(|p| Ok(SellerListing::of(p)))
}

pub async fn list(
    store: &Store,
    caller: &Caller,
    status: SellerStatus,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<SellerAccount>, ShopError> {
    require_admin(caller)?;
    store
        .sellers_by_status(status, limit, cursor)
        .await?
        .map(|s| Ok(s.account_view()))
}

/// What an approval or suspension did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub seller: SellerAccount,
    /// Listings this request took out of the catalog or brought back.
    pub listings_changed: u64,
}

/// Approves (admits or reinstates) or suspends a seller. The account's status is
/// written first, so from then on the seller can change nothing; then each of its
/// listings is withdrawn or restored by its own conditional write. Repeating the
/// action finishes a sweep that stopped halfway, and changes nothing otherwise.
pub async fn act(
    store: &Store,
    caller: &Caller,
    id: &SellerId,
    action: SellerAction,
) -> Result<StatusChange, ShopError> {
    require_admin(caller)?;
    let current = store
        .get_seller(id)
        .await?
        .ok_or(ShopError::NotFound("seller"))?;
    let (status, effect) = transition(current.status, action);
    let seller = if status == current.status {
        current
    } else {
        let updated = Seller {
            status,
            status_changed_at: now_sortable(),
            version: current.version + 1,
            ..current.clone()
        };
        store.put_seller(&updated, current.version).await?;
        updated
    };
    let listings_changed = sweep(store, &seller, effect).await?;
    Ok(StatusChange {
        seller: seller.account_view(),
        listings_changed,
    })
}

/// Withdraws or restores every listing of `seller`, a page at a time.
async fn sweep(store: &Store, seller: &Seller, effect: ListingEffect) -> Result<u64, ShopError> {
    let now = now_rfc3339();
    let mut changed = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .seller_products(&seller.user_id, None, SWEEP_PAGE, cursor.as_deref())
            .await?;
        let writes = page.items.iter().map(|product| {
            let now = now.as_str();
            async move {
                match effect {
                    ListingEffect::Withdraw => store.withdraw_listing(product, now).await,
                    ListingEffect::Restore => store.restore_listing(product, now).await,
                }
            }
        });
        for outcome in join_all(writes).await {
            changed += u64::from(outcome?);
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(changed),
        }
    }
}
