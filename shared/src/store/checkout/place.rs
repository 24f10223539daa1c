//! `POST /orders`: one transaction writes the order, its lines, its idempotency record
//! and the customer's pending count, and reserves every line's stock; the cart lines
//! bought are removed after.

use aws_sdk_dynamodb::types::{ConditionCheck, DeleteRequest, Update, WriteRequest};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::super::keys;
use super::super::{build, key, n, s, to_item, tx, Item, Read, Store, TxOutcome};
use crate::domain::cart::LineOffer;
use crate::domain::catalog::ProductStatus;
use crate::domain::error::ShopError;
use crate::domain::ids::{OrderId, Sku, UserId};
use crate::domain::order::{Order, OrderLine, PendingLimits};

/// How long a replayed `POST /orders` answers with its first response (as Stripe keeps keys).
const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

/// A `POST /orders` already answered under one idempotency key: only placed orders are
/// recorded (a refusal writes nothing), so its answer is always "created".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdempotencyRecord {
    /// Which request the key was first used with ([`crate::domain::order::PlaceOrder::fingerprint`]).
    pub request_fingerprint: String,
    pub order_id: OrderId,
    /// The response body, exactly as first sent.
    pub response: String,
}

/// An order line as a seller's view of it is stored: the line and which order it is in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderLineRecord<'a> {
    order_id: &'a OrderId,
    created_at: &'a str,
    #[serde(flatten)]
    line: &'a OrderLine,
}

/// What became of a placement transaction.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    Placed,
    /// Another request wrote this idempotency key first: replay or refuse it.
    KeyTaken,
    /// The customer's orders awaiting payment are at their limits.
    TooManyPending,
    /// A line's stock, price or product changed since it was read: read again and retry.
    CatalogMoved,
}

/// The customer's count of orders (and units) awaiting payment: each placement adds its
/// order, each settlement (confirm or cancel) takes it away again.
pub(crate) fn pending_orders_key(customer: &UserId) -> Item {
    key(keys::user_pk(customer), keys::PENDING_ORDERS_SK)
}

impl Store {
    /// The record of an idempotency key, strongly consistent (a retry right after the
    /// first request must see it).
    pub async fn idempotency_record(
        &self,
        user: &UserId,
        key_digest: &str,
    ) -> Result<Option<IdempotencyRecord>, ShopError> {
        self.read(
            key(keys::user_pk(user), keys::idempotency_sk(key_digest)),
            Read::Consistent,
        )
        .await
    }

    /// Writes `order` (awaiting payment), its line items and its idempotency record, counts
    /// it among the customer's pending orders within `limits`, and reserves every line's
    /// units, all or nothing. Each line's variant must still be the
    /// one priced (`version`), with the `onHand` read and room for the quantity
    /// (`reserved <= onHand - quantity`; DynamoDB conditions cannot subtract, so `onHand`
    /// is pinned and the bound computed here), and its product still active.
    pub async fn place_order(
        &self,
        order: &Order,
        offers: &HashMap<Sku, LineOffer>,
        key_digest: &str,
        record: &IdempotencyRecord,
        limits: PendingLimits,
        now_unix: i64,
    ) -> Result<Placement, ShopError> {
        let mut order_item = to_item(
            order,
            keys::order_pk(&order.id),
            keys::ORDER_SK.into(),
            "order",
        )?;
        order_item.insert(
            keys::GSI1PK.into(),
            s(keys::customer_orders_pk(&order.customer_id)),
        );
        order_item.insert(
            keys::GSI1SK.into(),
            s(keys::customer_orders_sk(&order.created_at, &order.id)),
        );
        let mut record_item = to_item(
            record,
            keys::user_pk(&order.customer_id),
            keys::idempotency_sk(key_digest),
            "idempotencyKey",
        )?;
        record_item.insert("expiresAt".into(), n(now_unix + IDEMPOTENCY_TTL_SECONDS));
        let units = order.units();
        let Some(units_before) = limits.units_before(units) else {
            return Ok(Placement::TooManyPending);
        };
        let mut actions = vec![
            self.put_new(order_item)?,
            self.put_new(record_item)?,
            tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(pending_orders_key(&order.customer_id)))
                    .update_expression(
                        "SET pendingOrders = if_not_exists(pendingOrders, :zero) + :one, \
                         pendingUnits = if_not_exists(pendingUnits, :zero) + :units, #entity = :entity",
                    )
                    .condition_expression(
                        "attribute_not_exists(pendingOrders) OR (pendingOrders < :maxOrders AND pendingUnits <= :maxUnitsBefore)",
                    )
                    .expression_attribute_names("#entity", keys::ENTITY)
                    .expression_attribute_values(":entity", s("pendingOrders"))
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":units", n(units))
                    .expression_attribute_values(":maxOrders", n(limits.orders))
                    .expression_attribute_values(":maxUnitsBefore", n(units_before))
                    .build(),
            )?),
        ];
        let mut products = Vec::new();
        for line in &order.lines {
            let line_record = OrderLineRecord {
                order_id: &order.id,
                created_at: &order.created_at,
                line,
            };
            let mut item = to_item(
                &line_record,
                keys::order_pk(&order.id),
                keys::order_line_sk(&line.sku),
                "orderLine",
            )?;
            item.insert(
                keys::GSI2PK.into(),
                s(keys::seller_products_pk(&line.seller_id)),
            );
            item.insert(
                keys::GSI2SK.into(),
                s(keys::seller_order_line_sk(
                    &order.created_at,
                    &order.id,
                    &line.sku,
                )),
            );
            actions.push(self.put_new(item)?);
            let variant = &offers
                .get(&line.sku)
                .ok_or_else(|| ShopError::internal("an order line without its offer"))?
                .variant;
            let quantity = i64::from(line.quantity);
            actions.push(tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(key(keys::product_pk(&line.product_id), keys::variant_sk(&line.sku))))
                    .update_expression("SET reserved = reserved + :qty ADD rev :one")
                    .condition_expression(
                        "attribute_exists(PK) AND version = :version AND onHand = :onHand AND reserved <= :maxReserved",
                    )
                    .expression_attribute_values(":qty", n(quantity))
                    .expression_attribute_values(":version", n(variant.version))
                    .expression_attribute_values(":onHand", n(variant.on_hand))
                    .expression_attribute_values(":maxReserved", n(variant.on_hand - quantity))
                    .expression_attribute_values(":one", n(1))
                    .build(),
            )?));
            if !products.contains(&line.product_id) {
                products.push(line.product_id.clone());
            }
        }
        for product in &products {
            actions.push(tx(build(
                ConditionCheck::builder()
                    .table_name(self.table())
                    .set_key(Some(key(keys::product_pk(product), keys::PRODUCT_SK)))
                    .condition_expression("#status = :active")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":active", s(ProductStatus::Active.as_str()))
                    .build(),
            )?));
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => Placement::Placed,
            TxOutcome::Cancelled(c) if c.failed(1) => Placement::KeyTaken,
            TxOutcome::Cancelled(c) if c.failed(2) => Placement::TooManyPending,
            TxOutcome::Cancelled(c) if c.failed(0) => {
                return Err(ShopError::internal(format!(
                    "order id {} already taken",
                    order.id
                )))
            }
            TxOutcome::Cancelled(_) => Placement::CatalogMoved,
        })
    }

    /// Removes the cart lines of `skus` (those just ordered), in one batch.
    pub async fn delete_cart_lines(&self, user: &UserId, skus: &[Sku]) -> Result<(), ShopError> {
        for chunk in skus.chunks(25) {
            let pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|sku| {
                    Ok(WriteRequest::builder()
                        .delete_request(build(
                            DeleteRequest::builder()
                                .set_key(Some(key(keys::user_pk(user), keys::cart_sk(sku))))
                                .build(),
                        )?)
                        .build())
                })
                .collect::<Result<_, ShopError>>()?;
            self.batch_write(pending).await?;
        }
        Ok(())
    }
}
