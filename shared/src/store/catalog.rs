//! Catalog reads and writes. Writes of a product are conditional on the version
//! that was read (optimistic locking), so two sellers' or admins' edits never
//! silently overwrite each other.

use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use std::collections::HashMap;

use super::cursor::{self, Page};
use super::{from_item, key, n, s, sdk_error, to_item, Item, Store};
use crate::cart::LineOffer;
use crate::catalog::{Availability, Category, Product, ProductStatus, ProductSummary, Variant};
use crate::error::{FieldError, ShopError};
use crate::ids::{CategoryId, ProductId, Sku};
use crate::keys;

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

fn variant_item(v: &Variant) -> Result<Item, ShopError> {
    to_item(
        v,
        keys::product_pk(&v.product_id),
        keys::variant_sk(&v.sku),
        "variant",
    )
}

/// One action of a transaction, whatever its kind.
trait IntoTx {
    fn into_tx(self) -> TransactWriteItem;
}

impl IntoTx for ConditionCheck {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().condition_check(self).build()
    }
}

impl IntoTx for Put {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().put(self).build()
    }
}

impl IntoTx for Update {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().update(self).build()
    }
}

impl IntoTx for Delete {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().delete(self).build()
    }
}

fn tx(action: impl IntoTx) -> TransactWriteItem {
    action.into_tx()
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ShopError> {
    r.map_err(ShopError::internal)
}

impl Store {
    pub async fn list_categories(&self) -> Result<Vec<Category>, ShopError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(keys::CATALOG_PK))
                .expression_attribute_values(":prefix", s(keys::CATEGORY_PREFIX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_error)?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    pub async fn get_category(&self, id: &CategoryId) -> Result<Option<Category>, ShopError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(keys::CATALOG_PK, keys::category_sk(id))))
            .send()
            .await
            .map_err(sdk_error)?;
        out.item.map(from_item).transpose()
    }

    pub async fn put_category(&self, category: &Category) -> Result<(), ShopError> {
        let item = to_item(
            category,
            keys::CATALOG_PK.into(),
            keys::category_sk(&category.id),
            "category",
        )?;
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// The product and its variants: one strongly consistent query of its item collection.
    pub async fn get_product(
        &self,
        id: &ProductId,
    ) -> Result<Option<(Product, Vec<Variant>)>, ShopError> {
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::product_pk(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        let mut product = None;
        let mut variants = Vec::new();
        for item in out.items.unwrap_or_default() {
            match item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
            {
                Some(keys::PRODUCT_SK) => product = Some(from_item::<Product>(item)?),
                Some(sk) if sk.starts_with(keys::VARIANT_PREFIX) => {
                    variants.push(from_item::<Variant>(item)?)
                }
                _ => {}
            }
        }
        Ok(product.map(|p| (p, variants)))
    }

    pub async fn list_category_products(
        &self,
        category: &CategoryId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<ProductSummary>, ShopError> {
        let partition = keys::category_products_pk(category);
        let key_attrs = [keys::GSI1PK, keys::GSI1SK, keys::PK, keys::SK];
        let start = cursor
            .map(|c| cursor::decode(c, &key_attrs, &partition))
            .transpose()?;
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(partition))
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_error)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<Product>(item).map(|p| p.summary()))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = out
            .last_evaluated_key
            .filter(|k| !k.is_empty())
            .and_then(|k| cursor::encode(&k));
        Ok(Page { items, next_cursor })
    }

    /// Creates a product with its variants, claiming every SKU shop-wide, in one transaction.
    pub async fn create_product(
        &self,
        product: &Product,
        variants: &[Variant],
    ) -> Result<(), ShopError> {
        let mut actions = vec![
            tx(build(
                ConditionCheck::builder()
                    .table_name(self.table())
                    .set_key(Some(key(
                        keys::CATALOG_PK,
                        keys::category_sk(&product.category_id),
                    )))
                    .condition_expression("attribute_exists(PK)")
                    .build(),
            )?),
            tx(build(
                Put::builder()
                    .table_name(self.table())
                    .set_item(Some(product_item(product)?))
                    .condition_expression("attribute_not_exists(PK)")
                    .build(),
            )?),
        ];
        for v in variants {
            actions.push(tx(build(
                Put::builder()
                    .table_name(self.table())
                    .set_item(Some(variant_item(v)?))
                    .condition_expression("attribute_not_exists(PK)")
                    .build(),
            )?));
            actions.push(self.sku_claim(v)?);
        }
        self.transact(actions, |c| {
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

    /// A SKU belongs to at most one product: the claim is created or already ours.
    fn sku_claim(&self, v: &Variant) -> Result<TransactWriteItem, ShopError> {
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

    fn product_put_if_version(
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

    /// Replaces the product's descriptive fields if nobody wrote it since `expected_version`.
    pub async fn update_product(
        &self,
        product: &Product,
        expected_version: u64,
    ) -> Result<(), ShopError> {
        let actions = vec![
            tx(build(
                ConditionCheck::builder()
                    .table_name(self.table())
                    .set_key(Some(key(
                        keys::CATALOG_PK,
                        keys::category_sk(&product.category_id),
                    )))
                    .condition_expression("attribute_exists(PK)")
                    .build(),
            )?),
            self.product_put_if_version(product, expected_version)?,
        ];
        self.transact(actions, |c| {
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
    ) -> Result<(), ShopError> {
        let variant_update = build(
            Update::builder()
                .table_name(self.table())
                .set_key(Some(key(keys::product_pk(&v.product_id), keys::variant_sk(&v.sku))))
                .update_expression(
                    "SET productId = :pid, sku = :sku, attributes = :attrs, price = :price, salePrice = :sale, \
                     onHand = :onHand, reserved = if_not_exists(reserved, :zero), \
                     version = if_not_exists(version, :zero) + :one, entity = :entity",
                )
                .condition_expression("attribute_not_exists(PK) OR reserved <= :onHand")
                .expression_attribute_values(":pid", s(v.product_id.as_str()))
                .expression_attribute_values(":sku", s(v.sku.as_str()))
                .expression_attribute_values(":attrs", build(serde_dynamo::to_attribute_value(&v.attributes))?)
                .expression_attribute_values(":price", build(serde_dynamo::to_attribute_value(v.price))?)
                .expression_attribute_values(":sale", build(serde_dynamo::to_attribute_value(v.sale_price))?)
                .expression_attribute_values(":onHand", n(v.on_hand))
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":entity", s("variant"))
                .build(),
        )?;
        let actions = vec![
            self.product_put_if_version(product, expected_version)?,
            self.sku_claim(v)?,
            tx(variant_update),
        ];
        self.transact(actions, |c| {
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
        self.transact(actions, |c| {
            if c.failed(0) {
                ShopError::Conflict("the product changed meanwhile; retry".into())
            } else {
                ShopError::Conflict("units of this product are reserved by open checkouts".into())
            }
        })
        .await
    }

    /// Which product a SKU belongs to.
    pub async fn sku_owner(&self, sku: &Sku) -> Result<Option<ProductId>, ShopError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(keys::sku_pk(sku), keys::SKU_SK)))
            .send()
            .await
            .map_err(sdk_error)?;
        let id = out
            .item
            .as_ref()
            .and_then(|i| i.get("productId"))
            .and_then(|v| v.as_s().ok());
        id.map(|id| ProductId::parse(id).map_err(ShopError::internal))
            .transpose()
    }

    /// The current offer for each (product, SKU): its variant and the product's name and status.
    /// SKUs whose product or variant no longer exists are absent from the map.
    pub async fn offers(
        &self,
        wanted: &[(ProductId, Sku)],
    ) -> Result<HashMap<Sku, LineOffer>, ShopError> {
        let mut keys_wanted: Vec<Item> = Vec::new();
        for (pid, sku) in wanted {
            let product_key = key(keys::product_pk(pid), keys::PRODUCT_SK);
            if !keys_wanted.contains(&product_key) {
                keys_wanted.push(product_key);
            }
            keys_wanted.push(key(keys::product_pk(pid), keys::variant_sk(sku)));
        }
        let items = self.batch_get(keys_wanted).await?;
        let mut products: HashMap<String, Product> = HashMap::new();
        let mut variants = Vec::new();
        for item in items {
            if item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk == keys::PRODUCT_SK)
            {
                let p: Product = from_item(item)?;
                products.insert(p.id.to_string(), p);
            } else {
                variants.push(from_item::<Variant>(item)?);
            }
        }
        Ok(variants
            .into_iter()
            .filter_map(|v| {
                let p = products.get(v.product_id.as_str())?;
                let availability = match p.status {
                    ProductStatus::Inactive => Availability::Inactive,
                    ProductStatus::Active if v.available() == 0 => Availability::OutOfStock,
                    ProductStatus::Active => Availability::Active,
                };
                Some((
                    v.sku.clone(),
                    LineOffer {
                        product_name: p.name.clone(),
                        availability,
                        variant: v,
                    },
                ))
            })
            .collect())
    }

    /// BatchGetItem in chunks of 100, retrying unprocessed keys with backoff.
    pub async fn batch_get(&self, wanted: Vec<Item>) -> Result<Vec<Item>, ShopError> {
        let mut found = Vec::new();
        for chunk in wanted.chunks(100) {
            let mut pending = Some(build(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .build(),
            )?);
            let mut attempt = 0;
            while let Some(request) = pending.take() {
                let out = self
                    .client()
                    .batch_get_item()
                    .request_items(self.table(), request)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                found.extend(
                    out.responses
                        .and_then(|mut r| r.remove(self.table()))
                        .unwrap_or_default(),
                );
                pending = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(self.table()))
                    .filter(|k| !k.keys().is_empty());
                attempt += 1;
                if pending.is_some() {
                    if attempt > 5 {
                        return Err(ShopError::internal(
                            "BatchGetItem left keys unprocessed after 5 attempts",
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
            }
        }
        Ok(found)
    }
}
