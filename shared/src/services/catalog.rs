//! Catalog use cases. Who may call: reads are anonymous; writes need an approved
//! seller (or an admin) and a seller may only touch its own products; taking a
//! listing down is for administrators.

use crate::clock::now_rfc3339;
use crate::domain::auth::Caller;
use crate::domain::catalog::{
    price_from, Category, ListingHold, Product, ProductDraft, ProductStatus, ProductSummary,
    ProductUpdate, ProductView, Variant, VariantDraft,
};
use crate::domain::error::ShopError;
use crate::domain::ids::{CategoryId, ProductId, SellerId};
use crate::services::sellers;
use crate::store::{Page, Store, WrittenBy};

pub async fn list_categories(store: &Store) -> Result<Vec<Category>, ShopError> {
    let mut categories = store.list_categories().await?;
    categories.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(categories)
}

pub async fn category_products(
    store: &Store,
    category: &CategoryId,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<ProductSummary>, ShopError> {
    if store.get_category(category).await?.is_none() {
        return Err(ShopError::NotFound("category"));
    }
    store.list_category_products(category, limit, cursor).await
}

/// The public product page: active and out-of-stock products. An inactive one is
/// not for sale and looks absent (its seller manages it through the write routes).
pub async fn get_product(store: &Store, id: &ProductId) -> Result<ProductView, ShopError> {
    let (product, variants) = store
        .get_product(id)
        .await?
        .ok_or(ShopError::NotFound("product"))?;
    if product.status == ProductStatus::Inactive {
        return Err(ShopError::NotFound("product"));
    }
    Ok(ProductView::new(&product, &variants))
}

fn may_edit(caller: &Caller, product: &Product) -> bool {
    caller.is_admin() || (caller.user_id == product.seller_id && caller.require_seller().is_ok())
}

/// Who the caller writes as: an administrator, or the seller whose approval every
/// write of theirs is conditional on.
fn written_by(caller: &Caller) -> WrittenBy {
    if caller.is_admin() {
        WrittenBy::Admin
    } else {
        WrittenBy::Seller(SellerId::of(&caller.user_id))
    }
}

/// Loads a product for a write: 404 if absent, 403 if the caller may not edit it
/// (another seller's product, or a seller account that is not approved).
async fn load_for_edit(
    store: &Store,
    caller: &Caller,
    id: &ProductId,
) -> Result<(Product, Vec<Variant>), ShopError> {
    caller.require_seller()?;
    let (product, variants) = store
        .get_product(id)
        .await?
        .ok_or(ShopError::NotFound("product"))?;
    if !may_edit(caller, &product) {
        return Err(ShopError::Forbidden(
            "a seller may only change its own products",
        ));
    }
    if !caller.is_admin() {
        sellers::require_approved(store, caller).await?;
    }
    Ok((product, variants))
}

/// The variant a draft makes: a new one, or `old` changed (its reservations, version and
/// low-stock flag are not the draft's to set).
fn variant_from_draft(
    product_id: &ProductId,
    draft: VariantDraft,
    old: Option<&Variant>,
) -> Variant {
    Variant {
        product_id: product_id.clone(),
        sku: draft.sku,
        attributes: draft.attributes,
        price: draft.price,
        sale_price: draft.sale_price,
        on_hand: draft.on_hand,
        reserved: old.map_or(0, |v| v.reserved),
        version: old.map_or(1, |v| v.version + 1),
        // The store counts writes of the item; a draft starts the count.
        rev: 0,
        low_stock_threshold: draft.low_stock_threshold,
        reorder_quantity: draft.reorder_quantity,
        low_stock_since: old.and_then(|v| v.low_stock_since.clone()),
        low_stock_alerts: old.map_or(0, |v| v.low_stock_alerts),
    }
}

pub async fn create_product(
    store: &Store,
    caller: &Caller,
    draft: ProductDraft,
) -> Result<ProductView, ShopError> {
    // Admins moderate; products belong to the (approved) seller who lists them.
    sellers::require_approved(store, caller).await?;
    let id = ProductId::generate();
    let now = now_rfc3339();
    let variants: Vec<Variant> = draft
        .variants
        .into_iter()
        .map(|d| variant_from_draft(&id, d, None))
        .collect();
    let product = Product {
        id,
        seller_id: caller.user_id.clone(),
        name: draft.name,
        description: draft.description,
        brand: draft.brand,
        category_id: draft.category_id,
        status: draft.status,
        rating: Default::default(),
        created_at: now.clone(),
        updated_at: now,
        price_from: price_from(&variants),
        version: 1,
        hold: None,
    };
    store
        .create_product(
            &product,
            &variants,
            &WrittenBy::Seller(SellerId::of(&caller.user_id)),
        )
        .await?;
    Ok(ProductView::for_seller(&product, &variants))
}

pub async fn update_product(
    store: &Store,
    caller: &Caller,
    id: &ProductId,
    update: ProductUpdate,
) -> Result<ProductView, ShopError> {
    let (current, variants) = load_for_edit(store, caller, id).await?;
    // A held listing stays out until what held it is undone: an administrator's takedown
    // by an administrator (whose edit lifts it), a suspension by reinstatement only (an
    // edit keeps it, so reinstatement still brings the listing back).
    let hold = match current.hold {
        Some(ListingHold::Moderation) if caller.is_admin() => None,
        Some(hold) if update.status == ProductStatus::Active => {
            return Err(ShopError::Forbidden(match hold {
                ListingHold::Moderation => "an administrator took this listing down",
                ListingHold::SellerSuspended => {
                    "the listing was withdrawn with the seller's suspension"
                }
            }))
        }
        other => other,
    };
    let updated = Product {
        hold,
        name: update.name,
        description: update.description,
        brand: update.brand,
        category_id: update.category_id,
        status: update.status,
        updated_at: now_rfc3339(),
        version: current.version + 1,
        ..current.clone()
    };
    store
        .update_product(&updated, current.version, &written_by(caller))
        .await?;
    Ok(ProductView::for_seller(&updated, &variants))
}

pub async fn delete_product(
    store: &Store,
    caller: &Caller,
    id: &ProductId,
) -> Result<(), ShopError> {
    let (product, variants) = load_for_edit(store, caller, id).await?;
    store
        .delete_product(&product, &variants, &written_by(caller))
        .await
}

/// Creates or replaces one variant's attributes, prices and on-hand stock.
/// Returns the product view and whether the variant is new.
pub async fn put_variant(
    store: &Store,
    caller: &Caller,
    id: &ProductId,
    draft: VariantDraft,
) -> Result<(ProductView, bool), ShopError> {
    let (current, mut variants) = load_for_edit(store, caller, id).await?;
    if let Some(other) = variants
        .iter()
        .find(|v| v.price.currency != draft.price.currency && v.sku != draft.sku)
    {
        return Err(crate::domain::error::FieldError::new(
            "currency",
            &format!(
                "must match the product's other variants ({})",
                other.price.currency
            ),
        )
        .into());
    }
    let existing = variants.iter().position(|v| v.sku == draft.sku);
    if existing.is_none() && variants.len() >= crate::domain::catalog::input_limits::MAX_VARIANTS {
        return Err(ShopError::Conflict(
            "the product has the most variants allowed".into(),
        ));
    }
    let variant = variant_from_draft(id, draft, existing.map(|i| &variants[i]));
    match existing {
        Some(i) => variants[i] = variant.clone(),
        None => variants.push(variant.clone()),
    }
    let updated = Product {
        price_from: price_from(&variants),
        updated_at: now_rfc3339(),
        version: current.version + 1,
        ..current.clone()
    };
    store
        .put_variant(&updated, current.version, &variant, &written_by(caller))
        .await?;
    Ok((
        ProductView::for_seller(&updated, &variants),
        existing.is_none(),
    ))
}

/// `POST /admin/products/{id}/deactivate`: an administrator takes any listing out of the
/// catalog; its seller cannot bring it back (an administrator's edit does). Repeating it
/// changes nothing.
pub async fn deactivate_product(
    store: &Store,
    caller: &Caller,
    id: &ProductId,
) -> Result<ProductView, ShopError> {
    if !caller.is_admin() {
        return Err(ShopError::Forbidden(
            "only administrators take listings down",
        ));
    }
    let (current, variants) = store
        .get_product(id)
        .await?
        .ok_or(ShopError::NotFound("product"))?;
    if current.hold == Some(ListingHold::Moderation) {
        return Ok(ProductView::new(&current, &variants));
    }
    let updated = Product {
        status: ProductStatus::Inactive,
        hold: Some(ListingHold::Moderation),
        updated_at: now_rfc3339(),
        version: current.version + 1,
        ..current.clone()
    };
    store
        .update_product(&updated, current.version, &WrittenBy::Admin)
        .await?;
    Ok(ProductView::new(&updated, &variants))
}
