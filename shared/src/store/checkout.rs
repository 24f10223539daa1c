//! The checkout saga's writes to an order. Every one is conditional on the order's
//! status, so two racing outcomes (a payment arriving as the reservation times out)
//! cannot both be written: exactly one leaves `pending_payment`.

use aws_sdk_dynamodb::types::{ReturnValue, Select, TransactWriteItem, Update};

use super::keys;
use super::orders::pending_orders_key;
use super::{
    build, conditional, from_item, key, n, s, sdk_error, tx, value, Item, Store, TxOutcome,
};
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::money::Money;
use crate::domain::order::{CancelReason, HistoryEntry, Order, OrderStatus, PaymentStatus};

/// What became of a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// This call moved the order.
    Done,
    /// The order had already left `pending_payment`; it is in this status.
    Already(OrderStatus),
}

fn order_key(id: &OrderId) -> Item {
    key(keys::order_pk(id), keys::ORDER_SK)
}

impl Store {
    /// The order and the payment task's token, if the saga has handed one out.
    pub async fn order_and_token(
        &self,
        id: &OrderId,
    ) -> Result<Option<(Order, Option<String>)>, ShopError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let token = item.get("taskToken").and_then(|v| v.as_s().ok()).cloned();
        Ok(Some((from_item(item)?, token)))
    }

    /// Stores the payment task's token on a pending order (the latest wins: a retried
    /// task has a new one); `None` when the order is no longer pending.
    pub async fn record_task_token(
        &self,
        id: &OrderId,
        token: &str,
    ) -> Result<Option<Order>, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET taskToken = :token")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":pending", s(OrderStatus::PendingPayment.as_str()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        conditional(result)?
            .and_then(|out| out.attributes)
            .map(from_item)
            .transpose()
    }

    /// Records the order's PaymentIntent, once: `false` if the order already has one
    /// (a redelivered payment message must reuse it, never create a second charge).
    pub async fn record_payment_intent(
        &self,
        id: &OrderId,
        intent_id: &str,
    ) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET payment.paymentIntentId = :pi, payment.#st = :processing")
            .condition_expression("attribute_type(payment.paymentIntentId, :nullType)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":pi", s(intent_id))
            .expression_attribute_values(":processing", value(&PaymentStatus::Processing)?)
            .expression_attribute_values(":nullType", s("NULL"))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    pub async fn record_payment_status(
        &self,
        id: &OrderId,
        status: PaymentStatus,
    ) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET payment.#st = :status")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":status", value(&status)?)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// Paid: the order becomes `confirmed` and each line's reserved units are sold
    /// (`onHand` and `reserved` both drop by the quantity), all or nothing.
    pub async fn confirm_order(
        &self,
        order: &Order,
        entry: &HistoryEntry,
    ) -> Result<Settlement, ShopError> {
        let status_change = self.status_change(
            order,
            OrderStatus::Confirmed,
            entry,
            "SET #status = :next, history = list_append(history, :entry), payment.#st = :paid",
            &[("#st", "status")],
            &[(":paid", value(&PaymentStatus::Succeeded)?)],
        )?;
        let mut actions = vec![status_change];
        for line in &order.lines {
            actions.push(self.variant_change(
                line,
                "SET onHand = onHand - :qty, reserved = reserved - :qty",
            )?);
        }
        actions.push(self.pending_release(order)?);
        self.settle(order, actions).await
    }

    /// Not going ahead: the order becomes `cancelled` and each line's reservation is
    /// released (`reserved` drops by the quantity), all or nothing. Guarded by the
    /// status, so stock is released at most once.
    pub async fn cancel_order(
        &self,
        order: &Order,
        reason: CancelReason,
        entry: &HistoryEntry,
    ) -> Result<Settlement, ShopError> {
        let status_change = self.status_change(
            order,
            OrderStatus::Cancelled,
            entry,
            "SET #status = :next, cancelReason = :reason, history = list_append(history, :entry)",
            &[],
            &[(":reason", value(&reason)?)],
        )?;
        let mut actions = vec![status_change];
        for line in &order.lines {
            actions.push(self.variant_change(line, "SET reserved = reserved - :qty")?);
        }
        actions.push(self.pending_release(order)?);
        self.settle(order, actions).await
    }

    fn status_change(
        &self,
        order: &Order,
        next: OrderStatus,
        entry: &HistoryEntry,
        expression: &str,
        names: &[(&str, &str)],
        extra: &[(&str, aws_sdk_dynamodb::types::AttributeValue)],
    ) -> Result<TransactWriteItem, ShopError> {
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(order_key(&order.id)))
            .update_expression(expression)
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(OrderStatus::PendingPayment.as_str()))
            .expression_attribute_values(":next", s(next.as_str()))
            .expression_attribute_values(":entry", value(&vec![entry])?);
        for (placeholder, attribute) in names {
            update = update.expression_attribute_names(*placeholder, *attribute);
        }
        for (name, v) in extra {
            update = update.expression_attribute_values(*name, v.clone());
        }
        Ok(tx(build(update.build())?))
    }

    /// The order leaves the customer's pending count (the status change beside it makes
    /// this happen once). Unconditional: an order placed before the count existed takes
    /// it below zero, which only leaves its customer more room.
    fn pending_release(&self, order: &Order) -> Result<TransactWriteItem, ShopError> {
        Ok(tx(build(
            Update::builder()
                .table_name(self.table())
                .set_key(Some(pending_orders_key(&order.customer_id)))
                .update_expression("ADD pendingOrders :minusOne, pendingUnits :minusUnits")
                .expression_attribute_values(":minusOne", n(-1))
                .expression_attribute_values(":minusUnits", n(-i64::from(order.units())))
                .build(),
        )?))
    }

    fn variant_change(
        &self,
        line: &crate::domain::order::OrderLine,
        expression: &str,
    ) -> Result<TransactWriteItem, ShopError> {
        let update = Update::builder()
            .table_name(self.table())
            .set_key(Some(key(
                keys::product_pk(&line.product_id),
                keys::variant_sk(&line.sku),
            )))
            // Every write of a variant counts in `rev` (the search index orders states by it).
            .update_expression(format!("{expression} ADD rev :one"))
            .condition_expression("reserved >= :qty")
            .expression_attribute_values(":qty", n(line.quantity))
            .expression_attribute_values(":one", n(1));
        Ok(tx(build(update.build())?))
    }

    async fn settle(
        &self,
        order: &Order,
        actions: Vec<TransactWriteItem>,
    ) -> Result<Settlement, ShopError> {
        match self.try_transact(actions).await? {
            TxOutcome::Written => Ok(Settlement::Done),
            TxOutcome::Cancelled(c) if c.failed(0) => {
                let now = self
                    .get_order(&order.id)
                    .await?
                    .ok_or(ShopError::NotFound("order"))?;
                Ok(Settlement::Already(now.status))
            }
            TxOutcome::Cancelled(c) if (1..=order.lines.len()).any(|i| c.failed(i)) => {
                Err(ShopError::internal(format!(
                    "order {}: a line's reservation is smaller than its quantity",
                    order.id
                )))
            }
            // Another transaction touched these items at the same moment: the saga retries.
            TxOutcome::Cancelled(_) => Err(ShopError::Unavailable(format!(
                "order {} is busy; retry",
                order.id
            ))),
        }
    }

    /// Takes the order's one right to refund: `true` for the first caller only, so the
    /// webhook and the cancel step, racing, never refund twice.
    pub async fn claim_refund(&self, id: &OrderId, now: &str) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET refundClaimedAt = :now")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(refundClaimedAt)")
            .expression_attribute_values(":now", s(now))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Gives the refund claim back after the refund call failed, so a retry can make it.
    pub async fn release_refund_claim(&self, id: &OrderId) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("REMOVE refundClaimedAt")
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// Claims the refund of a stray payment (an intent that is not the order's own but
    /// took money for it): `false` when another delivery claimed it first.
    pub async fn claim_stray_refund(
        &self,
        id: &OrderId,
        intent_id: &str,
        amount: i64,
        currency: &str,
        now: &str,
    ) -> Result<bool, ShopError> {
        let mut item = key(keys::order_pk(id), keys::stray_payment_sk(intent_id));
        item.insert(keys::ENTITY.into(), s("strayPayment"));
        item.insert("paymentIntentId".into(), s(intent_id));
        item.insert("amount".into(), n(amount));
        item.insert("currency".into(), s(currency.to_ascii_uppercase()));
        item.insert("refundClaimedAt".into(), s(now));
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Gives a stray payment's refund claim back after the refund call failed.
    pub async fn release_stray_refund_claim(
        &self,
        id: &OrderId,
        intent_id: &str,
    ) -> Result<(), ShopError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::order_pk(id),
                keys::stray_payment_sk(intent_id),
            )))
            .condition_expression("attribute_not_exists(refundId)")
            .send()
            .await;
        conditional(result)?;
        Ok(())
    }

    /// Records a stray payment's refund on its claim and in the order's history, together
    /// and once.
    pub async fn record_stray_refund(
        &self,
        id: &OrderId,
        intent_id: &str,
        refund_id: &str,
        entry: &HistoryEntry,
    ) -> Result<(), ShopError> {
        let actions = vec![
            tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(key(
                        keys::order_pk(id),
                        keys::stray_payment_sk(intent_id),
                    )))
                    .update_expression("SET refundId = :refund")
                    .condition_expression("attribute_exists(PK) AND attribute_not_exists(refundId)")
                    .expression_attribute_values(":refund", s(refund_id))
                    .build(),
            )?),
            tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(order_key(id)))
                    .update_expression("SET history = list_append(history, :entry)")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(":entry", value(&vec![entry])?)
                    .build(),
            )?),
        ];
        match self.try_transact(actions).await? {
            TxOutcome::Written => Ok(()),
            // The refund is on the claim already: a retry of this call recorded it.
            TxOutcome::Cancelled(c) if c.failed(0) => Ok(()),
            TxOutcome::Cancelled(_) => Err(ShopError::Unavailable(
                "recording the stray payment's refund met a concurrent write; retry".into(),
            )),
        }
    }

    pub async fn record_refund(
        &self,
        id: &OrderId,
        refund_id: &str,
        amount: Money,
        entry: &HistoryEntry,
    ) -> Result<(), ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression(
                "SET payment.refundId = :refund, payment.refundedAmount = :amount, payment.#st = :refunded, \
                 history = list_append(history, :entry)",
            )
            // Once: a retried call after a lost answer does not add a second entry.
            .condition_expression("attribute_type(payment.refundId, :nullType)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":refunded", value(&PaymentStatus::Refunded)?)
            .expression_attribute_values(":nullType", s("NULL"))
            .expression_attribute_values(":refund", s(refund_id))
            .expression_attribute_values(":amount", value(&amount)?)
            .expression_attribute_values(":entry", value(&vec![entry])?)
            .send()
            .await;
        conditional(result)?;
        Ok(())
    }

    /// Notes that `order` is paid with the card `fingerprint` (kept two days by TTL) and
    /// counts the card's other orders since `since`.
    pub async fn record_card_use(
        &self,
        fingerprint: &str,
        order: &Order,
        since: &str,
        expires_at: i64,
    ) -> Result<u32, ShopError> {
        let mut item = key(
            keys::card_pk(fingerprint),
            keys::card_use_sk(&order.created_at, &order.id),
        );
        item.insert(keys::ENTITY.into(), s("cardUse"));
        item.insert("orderId".into(), s(order.id.as_str()));
        item.insert("expiresAt".into(), n(expires_at));
        self.put(item).await?;
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("PK = :pk AND SK > :since")
            .expression_attribute_values(":pk", s(keys::card_pk(fingerprint)))
            .expression_attribute_values(":since", s(format!("{}{since}", keys::CARD_USE_PREFIX)))
            .select(Select::Count)
            .send()
            .await
            .map_err(sdk_error)?;
        // Less this order's own use.
        Ok(u32::try_from(out.count).unwrap_or(0).saturating_sub(1))
    }
}
