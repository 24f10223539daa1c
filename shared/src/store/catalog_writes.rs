//! Catalog writes. Each product write is one transaction, conditional on the
//! version that was read (optimistic locking), so two sellers' or admins' edits
//! never silently overwrite each other, and SKUs stay unique shop-wide.

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::keys;
use super::{build, key, n, s, to_item, tx, value, Cancellation, Item, Store};
use crate::domain::catalog::{Product, ProductStatus, Variant};
use crate::domain::error::{FieldError, ShopError};
use crate::domain::ids::SellerId;
use crate::domain::seller::SellerStatus;

fn product_item(p: &Product) -> Result<Item, ShopError> {
    let mut item = to_item(
        p,
        keys::product_pk(&p.id),
        keys::PRODUCT_SK.to_owned(),
        "product",
    )?;
    // Sparse index: only active products appear in category listings.
    if p.status == ProductStatus::Active {
        item.insert(
            keys::GSI1PK.into(),
            s(keys::category_products_pk(&p.category_id)),
        );
        item.insert(keys::GSI1SK.into(), s(keys::category_products_sk(&p.id)));
    }
    item.insert(
        keys::GSI2PK.into(),
        s(keys::seller_products_pk(&p.seller_id)),
    );
    item.insert(keys::GSI2SK.into(), s(keys::category_products_sk(&p.id)));
    Ok(item)
}

/// A variant's stock ledger: `onHand` as its seller (or an import) last set it, and the units
/// sold and put back since, each counted by the write that moved `onHand` — so
/// `onHand = stockSetTo − soldSinceSet + restockedSinceSet` holds of every variant, and the
/// counters can be checked against the orders, cancellations and returns that caused them
/// (tests/test_reconciliation.py).
fn variant_item(v: &Variant) -> Result<Item, ShopError> {
    let mut item = to_item(
        v,
        keys::product_pk(&v.product_id),
        keys::variant_sk(&v.sku),
        "variant",
    )?;
    item.insert("stockSetTo".into(), n(v.on_hand));
    item.insert("soldSinceSet".into(), n(0));
    item.insert("restockedSinceSet".into(), n(0));
    Ok(item)
}

/// Who a product write is for: a seller, whose account must be approved when the write
/// lands, or an administrator (moderation, and the suspension sweep itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WrittenBy {
    Seller(SellerId),
    Admin,
}

/// The refusal when a seller's account stopped being approved before its write landed.
pub(crate) fn seller_not_approved() -> ShopError {
    ShopError::Forbidden("the seller account is not approved")
}

impl Store {
    /// A write for a seller holds only while the seller's account is approved: the check
    /// is an action of the write's own transaction, so a suspension that lands after the
    /// service read the account (an import already running, a request in flight) still
    /// stops it.
    pub(super) fn seller_approved(
        &self,
        seller: &SellerId,
    ) -> Result<TransactWriteItem, ShopError> {
        Ok(tx(build(
            ConditionCheck::builder()
                .table_name(self.table())
                .set_key(Some(key(
                    keys::seller_account_pk(seller),
                    keys::SELLER_ACCOUNT_SK,
                )))
                .condition_expression("#status = :approved")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":approved", s(SellerStatus::Approved.as_str()))
                .build(),
        )?))
    }

    /// Runs a product write, with the seller's approval checked in it when it is a
    /// seller's: `on_conflict` explains every other refusal.
    async fn transact_product_write(
        &self,
        mut actions: Vec<TransactWriteItem>,
        by: &WrittenBy,
        on_conflict: impl FnOnce(&Cancellation) -> ShopError,
    ) -> Result<(), ShopError> {
        let guard = match by {
            WrittenBy::Seller(seller) => {
                actions.push(self.seller_approved(seller)?);
                Some(actions.len() - 1)
            }
            WrittenBy::Admin => None,
        };
        self.transact(actions, |c| match guard {
            Some(i) if c.failed(i) => seller_not_approved(),
            _ => on_conflict(c),
        })
        .await
    }

    /// Creates a product with its variants, claiming every SKU shop-wide, in one transaction.
    pub async fn create_product(
        &self,
        product: &Product,
        variants: &[Variant],
        by: &WrittenBy,
    ) -> Result<(), ShopError> {
        let mut actions = vec![
            self.category_exists(product)?,
            self.product_create(product)?,
        ];
        for v in variants {
            actions.push(self.variant_create(v)?);
            actions.push(self.sku_claim(v)?);
        }
        self.transact_product_write(actions, by, |c| {
            if c.failed(0) {
                return FieldError::new("categoryId", "is not a known category").into();
            }
            // Actions: [category, product, variant0, sku0, variant1, sku1, ...].
            let taken: Vec<String> = variants
                .iter()
                .enumerate()
                .filter(|(i, _)| c.failed(3 + 2 * i))
                .map(|(_, v)| v.sku.to_string())
                .collect();
            if taken.is_empty() {
                ShopError::Conflict("the product was written concurrently; retry".into())
            } else {
                ShopError::Conflict(format!("SKU already in use: {}", taken.join(", ")))
            }
        })
        .await
    }

    /// The product's category must exist when the product is written.
    pub(super) fn category_exists(
        &self,
        product: &Product,
    ) -> Result<TransactWriteItem, ShopError> {
        Ok(tx(build(
            ConditionCheck::builder()
                .table_name(self.table())
                .set_key(Some(key(
                    keys::CATALOG_PK,
                    keys::category_sk(&product.category_id),
                )))
                .condition_expression("attribute_exists(PK)")
                .build(),
        )?))
    }

    /// A SKU belongs to at most one product: the claim is created or already ours.
    pub(super) fn sku_claim(&self, v: &Variant) -> Result<TransactWriteItem, ShopError> {
        let mut item = key(keys::sku_pk(&v.sku), keys::SKU_SK);
        item.insert("productId".into(), s(v.product_id.as_str()));
        item.insert(keys::ENTITY.into(), s("sku"));
        Ok(tx(build(
            Put::builder()
                .table_name(self.table())
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK) OR productId = :pid")
                .expression_attribute_values(":pid", s(v.product_id.as_str()))
                .build(),
        )?))
    }

    pub(super) fn product_put_if_version(
        &self,
        product: &Product,
        expected_version: u64,
    ) -> Result<TransactWriteItem, ShopError> {
        Ok(tx(build(
            Put::builder()
                .table_name(self.table())
                .set_item(Some(product_item(product)?))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(expected_version))
                .build(),
        )?))
    }

    /// Creates a product item, or fails if it exists.
    pub(super) fn product_create(&self, product: &Product) -> Result<TransactWriteItem, ShopError> {
        self.put_new(product_item(product)?)
    }

    /// Creates a variant item, or fails if it exists.
    pub(super) fn variant_create(&self, v: &Variant) -> Result<TransactWriteItem, ShopError> {
        self.put_new(variant_item(v)?)
    }

    /// Creates or changes a variant's attributes, prices, `onHand` and stock rules, never its
    /// `reserved` (checkouts own it) nor its low-stock flag (the watcher's), and only while
    /// `onHand` stays at or above `reserved`. Setting `onHand` starts its stock ledger afresh
    /// (see [`variant_item`]).
    pub(super) fn variant_upsert(&self, v: &Variant) -> Result<TransactWriteItem, ShopError> {
        let mut set = String::from(
            "SET productId = :pid, sku = :sku, attributes = :attrs, price = :price, salePrice = :sale, \
             onHand = :onHand, reserved = if_not_exists(reserved, :zero), \
             stockSetTo = :onHand, soldSinceSet = :zero, restockedSinceSet = :zero, \
             version = if_not_exists(version, :zero) + :one, entity = :entity",
        );
        let mut remove = Vec::new();
        let mut rules = Vec::new();
        for (attribute, value) in [
            ("lowStockThreshold", v.low_stock_threshold),
            ("reorderQuantity", v.reorder_quantity),
        ] {
            match value {
                Some(n) => {
                    set.push_str(&format!(", {attribute} = :{attribute}"));
                    rules.push((format!(":{attribute}"), n));
                }
                None => remove.push(attribute),
            }
        }
        let mut expression = format!("{set} ADD rev :one");
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(key(
                keys::product_pk(&v.product_id),
                keys::variant_sk(&v.sku),
            )))
            .update_expression(expression);
        for (name, rule) in rules {
            update = update.expression_attribute_values(name, n(rule));
        }
        Ok(tx(build(
            update
                .condition_expression("attribute_not_exists(PK) OR reserved <= :onHand")
                .expression_attribute_values(":pid", s(v.product_id.as_str()))
                .expression_attribute_values(":sku", s(v.sku.as_str()))
                .expression_attribute_values(":attrs", value(&v.attributes)?)
                .expression_attribute_values(":price", value(&v.price)?)
                .expression_attribute_values(":sale", value(&v.sale_price)?)
                .expression_attribute_values(":onHand", n(v.on_hand))
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":entity", s("variant"))
                .build(),
        )?))
    }

    /// Replaces the product's descriptive fields if nobody wrote it since `expected_version`.
    pub async fn update_product(
        &self,
        product: &Product,
        expected_version: u64,
        by: &WrittenBy,
    ) -> Result<(), ShopError> {
        let actions = vec![
            self.category_exists(product)?,
            self.product_put_if_version(product, expected_version)?,
        ];
        self.transact_product_write(actions, by, |c| {
            if c.failed(0) {
                FieldError::new("categoryId", "is not a known category").into()
            } else {
                ShopError::Conflict("the product changed meanwhile; reload and retry".into())
            }
        })
        .await
    }

    /// Creates or changes one variant and bumps the product's version and price, atomically.
    /// `onHand` may not drop below the units reserved by checkouts in progress.
    pub async fn put_variant(
        &self,
        product: &Product,
        expected_version: u64,
        v: &Variant,
        by: &WrittenBy,
    ) -> Result<(), ShopError> {
        let actions = vec![
            self.product_put_if_version(product, expected_version)?,
            self.sku_claim(v)?,
            self.variant_upsert(v)?,
        ];
        self.transact_product_write(actions, by, |c| {
            if c.failed(1) {
                ShopError::Conflict(format!("SKU {} belongs to another product", v.sku))
            } else if c.failed(2) {
                ShopError::Conflict(format!(
                    "onHand of {} is below the units reserved by open checkouts",
                    v.sku
                ))
            } else {
                ShopError::Conflict("the product changed meanwhile; retry".into())
            }
        })
        .await
    }

    /// Deletes a product, its variants and SKU claims, refusing while any unit is reserved.
    pub async fn delete_product(
        &self,
        product: &Product,
        variants: &[Variant],
        by: &WrittenBy,
    ) -> Result<(), ShopError> {
        let mut actions = vec![tx(build(
            Delete::builder()
                .table_name(self.table())
                .set_key(Some(key(keys::product_pk(&product.id), keys::PRODUCT_SK)))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(product.version))
                .build(),
        )?)];
        for v in variants {
            actions.push(tx(build(
                Delete::builder()
                    .table_name(self.table())
                    .set_key(Some(key(
                        keys::product_pk(&v.product_id),
                        keys::variant_sk(&v.sku),
                    )))
                    .condition_expression("attribute_not_exists(PK) OR reserved = :zero")
                    .expression_attribute_values(":zero", n(0))
                    .build(),
            )?));
            actions.push(tx(build(
                Delete::builder()
                    .table_name(self.table())
                    .set_key(Some(key(keys::sku_pk(&v.sku), keys::SKU_SK)))
                    .condition_expression("attribute_not_exists(PK) OR productId = :pid")
                    .expression_attribute_values(":pid", s(v.product_id.as_str()))
                    .build(),
            )?));
        }
        self.transact_product_write(actions, by, |c| {
            if c.failed(0) {
                ShopError::Conflict("the product changed meanwhile; retry".into())
            } else {
                ShopError::Conflict("units of this product are reserved by open checkouts".into())
            }
        })
        .await
    }
}
