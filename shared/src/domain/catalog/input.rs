//! Request bodies for catalog writes, and the rules that turn them into drafts.
//! Serde checks shape (400 when it fails); `parse` checks meaning (422, every field at once).

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

use crate::domain::catalog::ProductStatus;
use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::{CategoryId, Sku};
use crate::domain::money::{Currency, Money};

/// A product and its variants are written in one transaction (at most 100 items:
/// product, category check, and a variant plus a SKU claim per variant).
pub const MAX_VARIANTS: usize = 40;
pub const MAX_ON_HAND: i64 = 1_000_000;
const MAX_ATTRIBUTES: usize = 10;
/// The longest attribute name (characters).
pub const MAX_ATTRIBUTE_NAME: usize = 32;

fn text(value: &str, field: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if len > max {
        return Err(FieldError::new(
            field,
            &format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VariantInput {
    pub sku: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub price: i64,
    pub sale_price: Option<i64>,
    pub currency: String,
    pub on_hand: i64,
    /// Available units at or below which the seller is alerted (0..=1,000,000); absent:
    /// the shop's default.
    pub low_stock_threshold: Option<i64>,
    /// Units the seller reorders, carried by the `stock.low` event (1..=1,000,000).
    pub reorder_quantity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantDraft {
    pub sku: Sku,
    pub attributes: BTreeMap<String, String>,
    pub price: Money,
    pub sale_price: Option<Money>,
    pub on_hand: i64,
    pub low_stock_threshold: Option<i64>,
    pub reorder_quantity: Option<i64>,
}

impl VariantInput {
    /// `path_sku` is the SKU named by the URL for `PUT .../variants/{sku}`;
    /// a body SKU, if any, must agree with it.
    fn check(
        &self,
        v: &mut Validator,
        prefix: &str,
        path_sku: Option<&Sku>,
    ) -> Option<VariantDraft> {
        let field = |name: &str| format!("{prefix}{name}");
        let sku = match (path_sku, &self.sku) {
            (Some(p), Some(b)) if p.as_str() != b => {
                v.check::<()>(Err(FieldError::new(
                    &field("sku"),
                    "does not match the SKU in the path",
                )));
                None
            }
            (Some(p), _) => Some(p.clone()),
            (None, Some(b)) => {
                v.check(Sku::parse(b).map_err(|e| FieldError::new(&field("sku"), &e.message)))
            }
            (None, None) => {
                v.check::<()>(Err(FieldError::new(&field("sku"), "is required")));
                None
            }
        };
        let currency = v.check(
            Currency::parse(&self.currency)
                .map_err(|e| FieldError::new(&field("currency"), &e.message)),
        );
        let price = currency.and_then(|c| v.check(Money::price(self.price, c, &field("price"))));
        let sale_price = match (currency, self.sale_price) {
            (Some(c), Some(s)) => match v.check(Money::price(s, c, &field("salePrice"))) {
                Some(sale) if price.is_some_and(|p| sale.amount > p.amount) => {
                    v.check::<()>(Err(FieldError::new(
                        &field("salePrice"),
                        "must not exceed price",
                    )));
                    None
                }
                other => other,
            },
            _ => None,
        };
        if !(0..=MAX_ON_HAND).contains(&self.on_hand) {
            v.check::<()>(Err(FieldError::new(
                &field("onHand"),
                &format!("must be between 0 and {MAX_ON_HAND}"),
            )));
        }
        let low_stock_threshold = self.low_stock_threshold.and_then(|t| {
            v.check(crate::domain::stock::stock_rule(
                t,
                &field("lowStockThreshold"),
                0,
            ))
        });
        let reorder_quantity = self.reorder_quantity.and_then(|q| {
            v.check(crate::domain::stock::stock_rule(
                q,
                &field("reorderQuantity"),
                1,
            ))
        });
        if self.attributes.len() > MAX_ATTRIBUTES {
            v.check::<()>(Err(FieldError::new(
                &field("attributes"),
                &format!("at most {MAX_ATTRIBUTES} attributes"),
            )));
        }
        let mut attributes = BTreeMap::new();
        for (k, val) in &self.attributes {
            let key = v.check(text(k, &field("attributes"), 1, MAX_ATTRIBUTE_NAME));
            let value = v.check(text(val, &field(&format!("attributes.{k}")), 1, 64));
            if let (Some(key), Some(value)) = (key, value) {
                attributes.insert(key, value);
            }
        }
        Some(VariantDraft {
            sku: sku?,
            attributes,
            price: price?,
            sale_price,
            on_hand: self.on_hand,
            low_stock_threshold,
            reorder_quantity,
        })
    }

    pub fn parse(&self, path_sku: &Sku) -> Result<VariantDraft, ShopError> {
        let mut v = Validator::default();
        let draft = self.check(&mut v, "", Some(path_sku));
        v.finish()?;
        draft.ok_or_else(|| ShopError::internal("variant draft missing after validation"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub brand: String,
    pub category_id: String,
    pub status: Option<ProductStatus>,
    pub variants: Vec<VariantInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductDraft {
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub status: ProductStatus,
    pub variants: Vec<VariantDraft>,
}

fn check_descriptive(
    v: &mut Validator,
    name: &str,
    description: &str,
    brand: &str,
    category_id: &str,
) -> (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<CategoryId>,
) {
    (
        v.check(text(name, "name", 1, 200)),
        v.check(text(description, "description", 0, 5000)),
        v.check(text(brand, "brand", 1, 100)),
        v.check(CategoryId::parse(category_id)),
    )
}

impl ProductInput {
    pub fn parse(&self) -> Result<ProductDraft, ShopError> {
        let mut v = Validator::default();
        let (name, description, brand, category_id) = check_descriptive(
            &mut v,
            &self.name,
            &self.description,
            &self.brand,
            &self.category_id,
        );
        if self.variants.is_empty() || self.variants.len() > MAX_VARIANTS {
            v.check::<()>(Err(FieldError::new(
                "variants",
                &format!("must hold 1 to {MAX_VARIANTS} variants"),
            )));
        }
        let variants: Vec<Option<VariantDraft>> = self
            .variants
            .iter()
            .enumerate()
            .map(|(i, input)| input.check(&mut v, &format!("variants[{i}]."), None))
            .collect();
        let mut seen = HashSet::new();
        for draft in variants.iter().flatten() {
            if !seen.insert(draft.sku.clone()) {
                v.check::<()>(Err(FieldError::new(
                    "variants",
                    &format!("SKU {} appears twice", draft.sku),
                )));
            }
        }
        let currencies: HashSet<_> = variants
            .iter()
            .flatten()
            .map(|d| d.price.currency)
            .collect();
        if currencies.len() > 1 {
            v.check::<()>(Err(FieldError::new(
                "variants",
                "all variants must share one currency",
            )));
        }
        v.finish()?;
        let missing = || ShopError::internal("product draft missing after validation");
        Ok(ProductDraft {
            name: name.ok_or_else(missing)?,
            description: description.ok_or_else(missing)?,
            brand: brand.ok_or_else(missing)?,
            category_id: category_id.ok_or_else(missing)?,
            status: self.status.unwrap_or(ProductStatus::Active),
            variants: variants.into_iter().flatten().collect(),
        })
    }
}

/// `PUT /products/{id}` replaces the descriptive fields; variants have their own endpoint.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductUpdateInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub brand: String,
    pub category_id: String,
    pub status: ProductStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductUpdate {
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub status: ProductStatus,
}

impl ProductUpdateInput {
    pub fn parse(&self) -> Result<ProductUpdate, ShopError> {
        let mut v = Validator::default();
        let (name, description, brand, category_id) = check_descriptive(
            &mut v,
            &self.name,
            &self.description,
            &self.brand,
            &self.category_id,
        );
        v.finish()?;
        let missing = || ShopError::internal("product update missing after validation");
        Ok(ProductUpdate {
            name: name.ok_or_else(missing)?,
            description: description.ok_or_else(missing)?,
            brand: brand.ok_or_else(missing)?,
            category_id: category_id.ok_or_else(missing)?,
            status: self.status,
        })
    }
}

#[cfg(test)]
mod tests;
