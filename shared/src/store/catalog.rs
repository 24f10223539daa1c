//! Catalog reads: categories, product pages, category listings, SKU look-ups
//! and the batch reads that price carts.

use std::collections::HashMap;

use super::cursor::Page;
use super::keys;
use super::{from_item, key, s, sdk_error, to_item, Item, Read, Store};
use crate::domain::cart::LineOffer;
use crate::domain::catalog::{availability, Category, Product, ProductSummary, Variant};
use crate::domain::error::ShopError;
use crate::domain::ids::{CategoryId, ProductId, Sku};

/// Where a scan of the table's products stopped; `None` when it is complete.
pub struct ScanPosition(Option<Item>);

impl ScanPosition {
    pub fn start() -> Self {
        ScanPosition(None)
    }
}

impl Store {
    /// One page of a full scan for product ids (the reindex command's source), with
    /// where the next page starts, or `None` after the last page.
    pub async fn scan_product_ids(
        &self,
        from: ScanPosition,
        page_size: i32,
    ) -> Result<(Vec<ProductId>, Option<ScanPosition>), ShopError> {
        let out = self
            .client()
            .scan()
            .table_name(self.table())
            .set_exclusive_start_key(from.0)
            .filter_expression("#entity = :product")
            .projection_expression("id")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":product", s("product"))
            .limit(page_size)
            .send()
            .await
            .map_err(sdk_error)?;
        let ids = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.get("id").and_then(|v| v.as_s().ok()))
            .filter_map(|id| ProductId::parse(id).ok())
            .collect();
        Ok((ids, out.last_evaluated_key.map(|k| ScanPosition(Some(k)))))
    }
    pub async fn list_categories(&self) -> Result<Vec<Category>, ShopError> {
        // Eventually consistent: the category tree changes rarely and is read often.
        let items = self
            .query_prefix(keys::CATALOG_PK.to_owned(), keys::CATEGORY_PREFIX, false)
            .await?;
        items.into_iter().map(from_item).collect()
    }

    pub async fn get_category(&self, id: &CategoryId) -> Result<Option<Category>, ShopError> {
        self.read(key(keys::CATALOG_PK, keys::category_sk(id)), Read::Eventual)
            .await
    }

    pub async fn put_category(&self, category: &Category) -> Result<(), ShopError> {
        let item = to_item(
            category,
            keys::CATALOG_PK.into(),
            keys::category_sk(&category.id),
            "category",
        )?;
        self.put(item).await
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
        let page = self
            .gsi1_page(
                keys::category_products_pk(category),
                None,
                true,
                limit,
                cursor,
            )
            .await?;
        page.map(|item| from_item::<Product>(item).map(|p| p.summary()))
    }

    /// Which product a SKU belongs to.
    pub async fn sku_owner(&self, sku: &Sku) -> Result<Option<ProductId>, ShopError> {
        let item = self
            .read_item(key(keys::sku_pk(sku), keys::SKU_SK), Read::Eventual)
            .await?;
        let id = item
            .as_ref()
            .and_then(|i| i.get("productId"))
            .and_then(|v| v.as_s().ok());
        id.map(|id| ProductId::parse(id).map_err(ShopError::internal))
            .transpose()
    }

    /// Which product each of `skus` belongs to; unknown SKUs are absent.
    pub async fn sku_owners(&self, skus: &[Sku]) -> Result<HashMap<Sku, ProductId>, ShopError> {
        let wanted = skus
            .iter()
            .map(|sku| key(keys::sku_pk(sku), keys::SKU_SK))
            .collect();
        let mut owners = HashMap::new();
        for item in self.batch_get(wanted).await? {
            let field = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
            let (Some(pk), Some(product)) = (field(keys::PK), field("productId")) else {
                continue;
            };
            let sku = pk.strip_prefix(keys::SKU_PREFIX).unwrap_or(&pk);
            owners.insert(
                Sku::parse(sku).map_err(ShopError::internal)?,
                ProductId::parse(&product).map_err(ShopError::internal)?,
            );
        }
        Ok(owners)
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
                let availability = availability(p.status, std::slice::from_ref(&v));
                Some((
                    v.sku.clone(),
                    LineOffer {
                        product_name: p.name.clone(),
                        seller_id: p.seller_id.clone(),
                        availability,
                        variant: v,
                    },
                ))
            })
            .collect())
    }

    /// The product records (without variants) of `ids` that exist, in no particular order.
    pub async fn products(&self, ids: &[ProductId]) -> Result<Vec<Product>, ShopError> {
        let keys = ids
            .iter()
            .map(|id| key(keys::product_pk(id), keys::PRODUCT_SK))
            .collect();
        self.batch_get(keys)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }
}
