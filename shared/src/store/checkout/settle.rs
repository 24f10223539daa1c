//! `Confirm` and `Cancel`: the order leaves `pending_payment` in one transaction with
//! its lines' stock (sold or released) and the customer's pending count. Every one is
//! conditional on the order's status, so of two racing outcomes (a payment arriving as
//! the reservation times out) exactly one is written.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::super::fulfilment::shipment_item;
use super::super::keys;
use super::super::{build, key, n, s, tx, value, Store, TxOutcome};
use super::order_key;
use super::place::pending_orders_key;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::Shipment;
use crate::domain::order::{CancelReason, HistoryEntry, Order, OrderStatus, PaymentStatus};

/// What became of a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// This call moved the order.
    Done,
    /// The order had already left `pending_payment`; it is in this status.
    Already(OrderStatus),
}

impl Store {
    /// Paid: the order becomes `confirmed`, each line's reserved units are sold
    /// (`onHand` and `reserved` both drop by the quantity) and its shipments are created
    /// (one per seller, awaiting fulfilment), all or nothing: a confirmed order always has
    /// its shipments. At most 1 + 25 + 1 + 25 = 52 actions (`MAX_ORDER_LINES` lines).
    pub async fn confirm_order(
        &self,
        order: &Order,
        entry: &HistoryEntry,
        shipments: &[Shipment],
    ) -> Result<Settlement, ShopError> {
        let status_change = self.status_change(
            order,
            OrderStatus::Confirmed,
            entry,
            "SET #status = :next, history = list_append(history, :entry), payment.#st = :paid, \
             payment.capturedAmount = :captured",
            &[("#st", "status")],
            &[
                (":paid", value(&PaymentStatus::Succeeded)?),
                // The intent paid the order's total (the payment step checked it).
                (":captured", n(order.total.amount)),
            ],
        )?;
        let mut actions = vec![status_change];
        for line in &order.lines {
            actions.push(self.variant_change(
                line,
                // Sold: counted in the variant's stock ledger (`store::catalog_writes`).
                "SET onHand = onHand - :qty, reserved = reserved - :qty \
                 ADD soldSinceSet :qty, rev :one",
            )?);
        }
        actions.push(self.pending_release(order)?);
        for shipment in shipments {
            actions.push(self.put_new(shipment_item(shipment)?)?);
        }
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
            actions.push(self.variant_change(line, "SET reserved = reserved - :qty ADD rev :one")?);
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
        // A cancellation its customer asked for meanwhile wins over a confirm: the order
        // is cancelled instead (`services::checkout::settle::confirm`).
        let condition = if next == OrderStatus::Confirmed {
            "#status = :pending AND attribute_not_exists(cancelRequest)"
        } else {
            "#status = :pending"
        };
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(order_key(&order.id)))
            .update_expression(expression)
            .condition_expression(condition)
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
            // Every write of a variant counts in `rev` (the search index orders states by it):
            // each expression ends `ADD …, rev :one`.
            .update_expression(expression)
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
}
