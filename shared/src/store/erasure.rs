//! Erasing a deleted account's personal data: its partition emptied (profile, addresses,
//! cart, wishlist, idempotency records, codes, review markers) and a tombstone left, its
//! reviews' author name replaced, its orders kept as the business record with the
//! person's address and email replaced. Every write is harmless to repeat, so a deletion
//! that stopped halfway is finished by the next request.

use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};

use super::keys;
use super::{build, key, n, s, to_item, value, Store};
use crate::domain::error::ShopError;
use crate::domain::ids::UserId;
use crate::domain::order::{Address, Order};
use crate::domain::reviews::{ReviewId, FORMER_CUSTOMER};

impl Store {
    /// Whether the account was deleted (its tombstone is there).
    pub async fn account_deleted(&self, user: &UserId) -> Result<bool, ShopError> {
        Ok(self
            .read_item(
                key(keys::user_pk(user), keys::DELETED_SK),
                super::Read::Consistent,
            )
            .await?
            .is_some())
    }

    /// Deletes every item of the user's partition, then leaves the tombstone (when it
    /// was deleted; nothing about the person).
    pub async fn erase_user(&self, user: &UserId, deleted_at: &str) -> Result<(), ShopError> {
        let items = self.query_partition(keys::user_pk(user)).await?;
        let requests: Vec<WriteRequest> = items
            .into_iter()
            .filter_map(|item| {
                let sk = item.get(keys::SK)?.as_s().ok()?.clone();
                (sk != keys::DELETED_SK).then_some(sk)
            })
            .map(|sk| {
                build(
                    DeleteRequest::builder()
                        .set_key(Some(key(keys::user_pk(user), sk)))
                        .build(),
                )
                .map(|d| WriteRequest::builder().delete_request(d).build())
            })
            .collect::<Result<_, _>>()?;
        for chunk in requests.chunks(25) {
            self.batch_write(chunk.to_vec()).await?;
        }
        let tombstone = to_item(
            &serde_json::json!({ "deletedAt": deleted_at }),
            keys::user_pk(user),
            keys::DELETED_SK.to_owned(),
            "deletedAccount",
        )?;
        self.put(tombstone).await
    }

    /// The review shows its author as "former customer" (its revision raised, so a
    /// moderator's write decided on the old name is refused and decided again).
    pub async fn anonymise_review(&self, id: &ReviewId) -> Result<(), ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::reviews_pk(&id.subject()),
                keys::review_sk(id),
            )))
            .update_expression("SET authorName = :former, rev = rev + :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":former", s(FORMER_CUSTOMER))
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        // A review deleted meanwhile has no name left to erase.
        super::conditional(result).map(|_| ())
    }

    /// The order and its shipments keep their lines, money and history; the person's
    /// email goes and the address becomes `erased`.
    pub async fn erase_order_person(
        &self,
        order: &Order,
        erased: &Address,
        shipment_sks: &[String],
    ) -> Result<(), ShopError> {
        let address = value(erased)?;
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(&order.id), keys::ORDER_SK)))
            .update_expression("SET shippingAddress = :address, customerEmail = :none")
            .expression_attribute_values(":address", address.clone())
            .expression_attribute_values(
                ":none",
                aws_sdk_dynamodb::types::AttributeValue::Null(true),
            )
            .send()
            .await
            .map_err(super::sdk_error)?;
        for sk in shipment_sks {
            self.client()
                .update_item()
                .table_name(self.table())
                .set_key(Some(key(keys::order_pk(&order.id), sk.clone())))
                .update_expression("SET shippingAddress = :address")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":address", address.clone())
                .send()
                .await
                .map_err(super::sdk_error)?;
        }
        Ok(())
    }
}
