//! Seller accounts, and the listing-wide writes an account's status causes.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::cursor::{Equals, Index};
use super::keys;
use super::{conditional, from_item, key, n, s, to_item, Item, Page, Read, Store};
use crate::domain::catalog::{ListingHold, Product, ProductStatus};
use crate::domain::error::ShopError;
use crate::domain::ids::{SellerId, UserId};
use crate::domain::seller::{Seller, SellerStatus};

fn seller_item(seller: &Seller) -> Result<Item, ShopError> {
    let mut item = to_item(
        seller,
        keys::seller_account_pk(&seller.seller_id),
        keys::SELLER_ACCOUNT_SK.to_owned(),
        "seller",
    )?;
    item.insert(
        keys::GSI1PK.into(),
        s(keys::sellers_by_status_pk(seller.status)),
    );
    item.insert(
        keys::GSI1SK.into(),
        s(keys::sellers_by_status_sk(
            &seller.status_changed_at,
            &seller.seller_id,
        )),
    );
    Ok(item)
}

fn hold_name(hold: ListingHold) -> &'static str {
    match hold {
        ListingHold::SellerSuspended => "seller_suspended",
        ListingHold::Moderation => "moderation",
    }
}

impl Store {
    /// A seller account, read consistently: a suspension applies from the next request.
    pub async fn get_seller(&self, id: &SellerId) -> Result<Option<Seller>, ShopError> {
        self.read(
            key(keys::seller_account_pk(id), keys::SELLER_ACCOUNT_SK),
            Read::Consistent,
        )
        .await
    }

    /// The write that opens an application, for the verification's own transaction.
    pub(crate) fn seller_application(
        &self,
        seller: &Seller,
    ) -> Result<TransactWriteItem, ShopError> {
        self.put_new(seller_item(seller)?)
    }

    /// Opens an application outside a verification (an operator's tooling, tests).
    /// The accounts of `ids` that exist (one batch read).
    pub async fn sellers(&self, ids: &[SellerId]) -> Result<Vec<Seller>, ShopError> {
        let wanted = ids
            .iter()
            .map(|id| key(keys::seller_account_pk(id), keys::SELLER_ACCOUNT_SK))
            .collect();
        self.batch_get(wanted)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn create_seller(&self, seller: &Seller) -> Result<(), ShopError> {
        if self.put_if_absent(seller_item(seller)?).await? {
            Ok(())
        } else {
            Err(ShopError::Conflict("the seller account exists".into()))
        }
    }

    /// Replaces an account if nobody wrote it since `expected_version`.
    pub async fn put_seller(
        &self,
        seller: &Seller,
        expected_version: u64,
    ) -> Result<(), ShopError> {
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(seller_item(seller)?))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(expected_version))
            .send()
            .await;
        conditional(result)?.map(|_| ()).ok_or_else(|| {
            ShopError::Conflict("the seller account changed meanwhile; retry".into())
        })
    }

    /// Accounts in `status`, the longest in it first.
    pub async fn sellers_by_status(
        &self,
        status: SellerStatus,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Seller>, ShopError> {
        self.gsi1_page(
            keys::sellers_by_status_pk(status),
            None,
            true,
            limit,
            cursor,
        )
        .await?
        .map(from_item)
    }

    /// One page of a seller's products, every status, optionally only those in `status`.
    pub async fn seller_products(
        &self,
        seller: &UserId,
        status: Option<ProductStatus>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Product>, ShopError> {
        let filter = status.map(|status| Equals::status(status.as_str()));
        self.index_page(
            Index::Gsi2,
            keys::seller_products_pk(seller),
            Some(keys::PRODUCT_PREFIX),
            true,
            limit,
            cursor,
            filter,
        )
        .await?
        .map(from_item)
    }

    /// Takes an active, unheld listing out of the catalog, marked as withdrawn by its
    /// seller's suspension. `false` when it is not (any more) active and unheld.
    pub async fn withdraw_listing(&self, product: &Product, now: &str) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::product_pk(&product.id), keys::PRODUCT_SK)))
            .update_expression(
                "SET #status = :inactive, #hold = :hold, updatedAt = :now ADD version :one \
                 REMOVE GSI1PK, GSI1SK",
            )
            .condition_expression("#status = :active AND attribute_not_exists(#hold)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#hold", "hold")
            .expression_attribute_values(":inactive", s(ProductStatus::Inactive.as_str()))
            .expression_attribute_values(":active", s(ProductStatus::Active.as_str()))
            .expression_attribute_values(":hold", s(hold_name(ListingHold::SellerSuspended)))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Brings back a listing its seller's suspension withdrew (into its category's
    /// listing again). `false` when it is not held by a suspension.
    pub async fn restore_listing(&self, product: &Product, now: &str) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::product_pk(&product.id), keys::PRODUCT_SK)))
            .update_expression(
                "SET #status = :active, updatedAt = :now, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk \
                 ADD version :one REMOVE #hold",
            )
            .condition_expression("#hold = :hold")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#hold", "hold")
            .expression_attribute_values(":active", s(ProductStatus::Active.as_str()))
            .expression_attribute_values(":hold", s(hold_name(ListingHold::SellerSuspended)))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(
                ":gsi1pk",
                s(keys::category_products_pk(&product.category_id)),
            )
            .expression_attribute_values(":gsi1sk", s(keys::category_products_sk(&product.id)))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }
}
