//! Stored catalog records and the views shoppers see.

use serde::{Deserialize, Serialize};

use super::rating::{RatingSummary, RatingView};
use std::collections::BTreeMap;

use crate::domain::ids::{CategoryId, ProductId, SellerId, Sku, UserId};
use crate::domain::money::Money;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    /// `None` for a top-level category; the hierarchy is a tree of parents.
    pub parent_id: Option<CategoryId>,
}

/// What a seller chose. Whether a product is out of stock is derived from its variants.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Active,
    Inactive,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Active => "active",
            ProductStatus::Inactive => "inactive",
        }
    }

    /// A `status` filter as sent.
    pub fn parse(raw: &str) -> Result<ProductStatus, crate::domain::error::FieldError> {
        [ProductStatus::Active, ProductStatus::Inactive]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                crate::domain::error::FieldError::new("status", "must be active or inactive")
            })
    }
}

/// Why a listing is out of the catalog whatever its seller chose. A held listing is
/// `Inactive`; its seller may edit it but not bring it back.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ListingHold {
    /// Withdrawn by its seller's suspension; reinstatement brings it back.
    SellerSuspended,
    /// Taken down by an administrator; only an administrator brings it back.
    Moderation,
}

/// What a shopper sees: a seller's `Active` product with nothing left is `OutOfStock`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Active,
    Inactive,
    OutOfStock,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: ProductId,
    pub seller_id: UserId,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub status: ProductStatus,
    #[serde(default)]
    pub rating: RatingSummary,
    pub created_at: String,
    pub updated_at: String,
    /// The lowest current unit price over the variants, for listings ("from $19.99").
    pub price_from: Option<Money>,
    /// Bumped on every write; later the search indexer uses it as the document version.
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<ListingHold>,
}

impl Product {
    pub fn summary(&self) -> ProductSummary {
        ProductSummary {
            id: self.id.clone(),
            seller_id: SellerId::of(&self.seller_id),
            name: self.name.clone(),
            brand: self.brand.clone(),
            category_id: self.category_id.clone(),
            price_from: self.price_from,
            rating_count: self.rating.count,
            rating_average_x100: self.rating.average_x100(),
        }
    }
}

/// The lowest unit price over `variants`, in the currency they share.
pub fn price_from<'a>(variants: impl IntoIterator<Item = &'a Variant>) -> Option<Money> {
    variants
        .into_iter()
        .map(Variant::unit_price)
        .min_by_key(|m| m.amount)
}

/// A product in a listing: enough to draw a tile, not the variants.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductSummary {
    pub id: ProductId,
    pub seller_id: SellerId,
    pub name: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub price_from: Option<Money>,
    pub rating_count: u64,
    pub rating_average_x100: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub product_id: ProductId,
    pub sku: Sku,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub price: Money,
    pub sale_price: Option<Money>,
    /// Units the seller has. Only the seller sets it.
    pub on_hand: i64,
    /// Units held by checkouts in progress. Only conditional writes change it,
    /// always keeping `reserved <= on_hand`, so the shop never sells what it lacks.
    #[serde(default)]
    pub reserved: i64,
    /// Bumped when the seller changes the variant; orders pin it to the price they saw.
    pub version: u64,
    /// Bumped on every write of the variant item, stock moves included (which leave
    /// `version` alone so concurrent buyers do not conflict): the search index uses it
    /// to order states of the product.
    #[serde(default)]
    pub rev: u64,
    /// The seller's low-stock threshold (available units at or below it are low); `None`:
    /// the shop's default (`DefaultLowStockThreshold`). See `domain::stock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i64>,
    /// Units the seller reorders when told the variant is low (carried by `stock.low`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_quantity: Option<i64>,
    /// Set (by the low-stock watcher only) while its seller has been told of its fall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_since: Option<String>,
    /// How many low-stock alerts the variant has had: the last one's number.
    #[serde(default)]
    pub low_stock_alerts: u64,
}

impl Variant {
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved).max(0)
    }

    /// The price a shopper pays now: the sale price when it is lower.
    pub fn unit_price(&self) -> Money {
        match self.sale_price {
            Some(sale) if sale.amount < self.price.amount => sale,
            _ => self.price,
        }
    }

    pub fn view(&self) -> VariantView {
        VariantView {
            sku: self.sku.clone(),
            attributes: self.attributes.clone(),
            price: self.price,
            sale_price: self.sale_price,
            unit_price: self.unit_price(),
            available: self.available(),
            inventory: None,
        }
    }

    /// The view its seller (or an administrator) gets: with its stock and stock rules.
    pub fn seller_view(&self) -> VariantView {
        VariantView {
            inventory: Some(VariantInventory {
                on_hand: self.on_hand,
                reserved: self.reserved,
                low_stock_threshold: self.low_stock_threshold,
                reorder_quantity: self.reorder_quantity,
                low_stock: self.low_stock_since.is_some(),
            }),
            ..self.view()
        }
    }
}

pub fn availability(status: ProductStatus, variants: &[Variant]) -> Availability {
    match status {
        ProductStatus::Inactive => Availability::Inactive,
        ProductStatus::Active if variants.iter().all(|v| v.available() == 0) => {
            Availability::OutOfStock
        }
        ProductStatus::Active => Availability::Active,
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantView {
    pub sku: Sku,
    pub attributes: BTreeMap<String, String>,
    pub price: Money,
    pub sale_price: Option<Money>,
    pub unit_price: Money,
    pub available: i64,
    /// Only in its seller's answers (writes of the product): shoppers never see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<VariantInventory>,
}

/// A variant's stock as its seller sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantInventory {
    pub on_hand: i64,
    pub reserved: i64,
    /// `None`: the shop's default threshold applies.
    pub low_stock_threshold: Option<i64>,
    pub reorder_quantity: Option<i64>,
    /// The seller was alerted of this variant's fall and it has not been restocked above
    /// its threshold since.
    pub low_stock: bool,
}

/// A product as the API returns it: public fields, derived availability, variants.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductView {
    pub id: ProductId,
    pub seller_id: SellerId,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub status: Availability,
    pub rating_count: u64,
    pub rating_average_x100: Option<u64>,
    pub rating: RatingView,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
    pub variants: Vec<VariantView>,
}

impl ProductView {
    pub fn new(product: &Product, variants: &[Variant]) -> Self {
        ProductView {
            id: product.id.clone(),
            seller_id: SellerId::of(&product.seller_id),
            name: product.name.clone(),
            description: product.description.clone(),
            brand: product.brand.clone(),
            category_id: product.category_id.clone(),
            status: availability(product.status, variants),
            rating_count: product.rating.count,
            rating_average_x100: product.rating.average_x100(),
            rating: product.rating.view(),
            created_at: product.created_at.clone(),
            updated_at: product.updated_at.clone(),
            version: product.version,
            variants: variants.iter().map(Variant::view).collect(),
        }
    }

    /// The product as its seller (or an administrator) gets it from a write.
    pub fn for_seller(product: &Product, variants: &[Variant]) -> Self {
        ProductView {
            variants: variants.iter().map(Variant::seller_view).collect(),
            ..ProductView::new(product, variants)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    pub(crate) fn variant(
        sku: &str,
        price: i64,
        sale: Option<i64>,
        on_hand: i64,
        reserved: i64,
    ) -> Variant {
        let usd = Currency::parse("USD").unwrap();
        Variant {
            product_id: ProductId::parse("p1").unwrap(),
            sku: Sku::parse(sku).unwrap(),
            attributes: BTreeMap::new(),
            price: Money::new(price, usd),
            sale_price: sale.map(|s| Money::new(s, usd)),
            on_hand,
            reserved,
            version: 1,
            rev: 0,
            low_stock_threshold: None,
            reorder_quantity: None,
            low_stock_since: None,
            low_stock_alerts: 0,
        }
    }

    #[test]
    fn sale_price_applies_only_when_lower() {
        assert_eq!(variant("A", 1000, Some(800), 1, 0).unit_price().amount, 800);
        assert_eq!(
            variant("A", 1000, Some(1200), 1, 0).unit_price().amount,
            1000
        );
        assert_eq!(variant("A", 1000, None, 1, 0).unit_price().amount, 1000);
    }

    #[test]
    fn available_is_on_hand_minus_reserved_never_negative() {
        assert_eq!(variant("A", 1, None, 10, 3).available(), 7);
        assert_eq!(variant("A", 1, None, 2, 5).available(), 0);
    }

    #[test]
    fn active_product_without_stock_is_out_of_stock() {
        let empty = [variant("A", 1, None, 0, 0), variant("B", 1, None, 4, 4)];
        assert_eq!(
            availability(ProductStatus::Active, &empty),
            Availability::OutOfStock
        );
        let some = [variant("A", 1, None, 0, 0), variant("B", 1, None, 5, 4)];
        assert_eq!(
            availability(ProductStatus::Active, &some),
            Availability::Active
        );
        assert_eq!(
            availability(ProductStatus::Inactive, &some),
            Availability::Inactive
        );
    }

    #[test]
    fn price_from_is_the_lowest_unit_price() {
        let vs = [
            variant("A", 1000, Some(700), 1, 0),
            variant("B", 800, None, 0, 0),
        ];
        assert_eq!(price_from(&vs).unwrap().amount, 700);
        assert_eq!(price_from(&[]), None);
    }
}
