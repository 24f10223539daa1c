//! Co-purchase counts and the top lists built from them. An order is counted in one
//! transaction: its marker (`COPURCHASE#<orderId>`, new: a redelivered message counts
//! nothing twice), one `ADD count :one` per ordered pair of its products and per product's
//! order count. Top lists are written conditionally on their version (two orders merging
//! into one list at once: the later reads again).

use aws_sdk_dynamodb::types::Update;
use serde::{Deserialize, Serialize};

use super::keys;
use super::{build, conditional, from_item, key, n, to_item, tx, Read, Store, TxOutcome};
use crate::domain::error::ShopError;
use crate::domain::ids::{OrderId, ProductId};
use crate::domain::recommend::{pairs, Ranked};

/// How long an order's marker is kept: longer than any redelivery of its message.
const MARKER_DAYS: i64 = 14;

/// A top list as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopList {
    pub items: Vec<Ranked>,
    pub version: u64,
}

fn add_one(
    pk: String,
    sk: String,
    table: &str,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, ShopError> {
    Ok(tx(build(
        Update::builder()
            .table_name(table)
            .set_key(Some(key(pk, sk)))
            .update_expression("ADD #count :one SET entity = :entity")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":entity", super::s("coPurchaseCount"))
            .build(),
    )?))
}

fn count_of(item: &super::Item) -> u64 {
    item.get("count")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl Store {
    /// Counts `order`'s `products` (distinct, capped by the caller): `false` when the
    /// order was counted before. Items written: 1 + p(p − 1) + p.
    pub async fn count_copurchases(
        &self,
        order: &OrderId,
        products: &[ProductId],
        now: i64,
    ) -> Result<bool, ShopError> {
        let marker = to_item(
            &serde_json::json!({ "orderId": order.as_str(), "expiresAt": now + MARKER_DAYS * 86_400 }),
            keys::copurchase_pk(order),
            keys::COUNTED_SK.to_owned(),
            "coPurchaseMarker",
        )?;
        let mut actions = vec![self.put_new(marker)?];
        for (a, b) in pairs(products) {
            actions.push(add_one(
                keys::related_pk(&a),
                keys::related_with_sk(&b),
                self.table(),
            )?);
        }
        for p in products {
            actions.push(add_one(
                keys::related_pk(p),
                keys::ORDER_COUNT_SK.to_owned(),
                self.table(),
            )?);
        }
        match self.try_transact(actions).await? {
            TxOutcome::Written => Ok(true),
            TxOutcome::Cancelled(c) if c.failed(0) => Ok(false),
            TxOutcome::Cancelled(_) => Err(ShopError::Unavailable(
                "co-purchase counts met a concurrent write; the message is retried".into(),
            )),
        }
    }

    /// How many counted orders held both `a` and each of `others`, read consistently.
    pub async fn pair_counts(
        &self,
        a: &ProductId,
        others: &[ProductId],
    ) -> Result<Vec<Ranked>, ShopError> {
        let wanted = others
            .iter()
            .map(|b| key(keys::related_pk(a), keys::related_with_sk(b)))
            .collect();
        let items = self.batch_get_consistent(wanted).await?;
        Ok(others
            .iter()
            .filter_map(|b| {
                let sk = keys::related_with_sk(b);
                items
                    .iter()
                    .find(|i| i.get(keys::SK).and_then(|v| v.as_s().ok()) == Some(&sk))
                    .map(|i| Ranked {
                        product_id: b.clone(),
                        count: count_of(i),
                    })
            })
            .collect())
    }

    /// How many counted orders held each of `products`, read consistently.
    pub async fn order_counts(&self, products: &[ProductId]) -> Result<Vec<Ranked>, ShopError> {
        let wanted = products
            .iter()
            .map(|p| key(keys::related_pk(p), keys::ORDER_COUNT_SK))
            .collect();
        let items = self.batch_get_consistent(wanted).await?;
        Ok(products
            .iter()
            .filter_map(|p| {
                let pk = keys::related_pk(p);
                items
                    .iter()
                    .find(|i| i.get(keys::PK).and_then(|v| v.as_s().ok()) == Some(&pk))
                    .map(|i| Ranked {
                        product_id: p.clone(),
                        count: count_of(i),
                    })
            })
            .collect())
    }

    /// A top list (`keys::related_pk` of a product, or `keys::popular_pk`); empty when none.
    pub async fn top_list(&self, pk: String) -> Result<TopList, ShopError> {
        Ok(self
            .read(key(pk, keys::RELATED_TOP_SK), Read::Consistent)
            .await?
            .unwrap_or_default())
    }

    /// Writes `items` as the list if it is still at `read_version`; `false` otherwise.
    pub async fn put_top_list(
        &self,
        pk: String,
        items: &[Ranked],
        read_version: u64,
    ) -> Result<bool, ShopError> {
        let list = TopList {
            items: items.to_vec(),
            version: read_version + 1,
        };
        let item = to_item(&list, pk, keys::RELATED_TOP_SK.to_owned(), "topList")?;
        let request = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item));
        let request = if read_version == 0 {
            request.condition_expression("attribute_not_exists(PK)")
        } else {
            request
                .condition_expression("version = :read")
                .expression_attribute_values(":read", n(read_version))
        };
        Ok(conditional(request.send().await)?.is_some())
    }

    /// Several top lists at once (eventually consistent: for reading recommendations).
    pub async fn top_lists(&self, pks: Vec<String>) -> Result<Vec<(String, TopList)>, ShopError> {
        let wanted = pks
            .iter()
            .map(|pk| key(pk.clone(), keys::RELATED_TOP_SK))
            .collect();
        let items = self.batch_get(wanted).await?;
        items
            .into_iter()
            .map(|i| {
                let pk = i
                    .get(keys::PK)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                Ok((pk, from_item::<TopList>(i)?))
            })
            .collect()
    }
}
