//! The order item's part in a transaction, composed of the changes a use case makes to
//! it at once. An item may appear only once in a DynamoDB transaction, so a move that both
//! changes the order's derived status and claims a refund (a seller's cancellation; a
//! return received) writes one update carrying both conditions and both changes.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use std::collections::HashMap;

use super::keys;
use super::{build, key, n, s, tx, value, Store};
use crate::domain::error::ShopError;
use crate::domain::order::{CancelReason, HistoryEntry, Order};
use crate::domain::refund::Refunded;

/// One update of the order item, built from its parts.
#[derive(Clone, Default)]
pub(crate) struct OrderUpdate {
    sets: Vec<String>,
    conditions: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    entries: Vec<HistoryEntry>,
}

impl OrderUpdate {
    pub(crate) fn new() -> OrderUpdate {
        OrderUpdate::default()
    }

    /// The follow-up of a shipment's move: conditional on the order's status and
    /// `fulfilmentRev` as read (any other move of one of its shipments since bumps it),
    /// so two shipments moving at once cannot both write a status derived from a state
    /// that no longer holds. Writes `entry`'s status when the derived status changed;
    /// bumps `fulfilmentRev` either way.
    pub(crate) fn follow(mut self, order: &Order, entry: Option<&HistoryEntry>) -> OrderUpdate {
        // Orders confirmed before shipments existed have no counter yet.
        self.conditions.push(if order.fulfilment_rev == 0 {
            "(attribute_not_exists(fulfilmentRev) OR fulfilmentRev = :frev)".into()
        } else {
            "fulfilmentRev = :frev".into()
        });
        self.values.insert(":frev".into(), n(order.fulfilment_rev));
        self.values
            .insert(":nextFrev".into(), n(order.fulfilment_rev + 1));
        self.sets.push("fulfilmentRev = :nextFrev".into());
        self.status_as_read(order);
        if let Some(e) = entry {
            self.sets.push("#status = :to".into());
            self.values.insert(":to".into(), s(e.status.as_str()));
            self.entries.push(e.clone());
        }
        self
    }

    /// Why the order ends cancelled (with a `follow` whose entry moves it there).
    pub(crate) fn cancel_reason(mut self, reason: CancelReason) -> Result<OrderUpdate, ShopError> {
        self.sets.push("cancelReason = :reason".into());
        self.values.insert(":reason".into(), value(&reason)?);
        Ok(self)
    }

    /// A refund claimed against the order's payment. The claimed total is pinned to the
    /// value read, so of two claims computed from one state only one is written, and
    /// the new total was checked against the capture (`refund::check_claim`) before this
    /// is built: the sum of an order's claims never exceeds what it captured. The
    /// capture itself is recorded with the first claim when the order has none yet (a
    /// payment that succeeded after its order was cancelled).
    pub(crate) fn claim(
        mut self,
        order: &Order,
        captured: i64,
        claimed: i64,
        refunded: &Refunded,
    ) -> Result<OrderUpdate, ShopError> {
        let was = order.payment.refund_claimed;
        self.conditions.push(if was == 0 {
            "(attribute_not_exists(payment.refundClaimed) OR payment.refundClaimed = :claimedWas)"
                .into()
        } else {
            "payment.refundClaimed = :claimedWas".into()
        });
        match order.payment.captured_amount {
            Some(_) => self.conditions.push(
                "payment.capturedAmount = :captured AND payment.capturedAmount >= :claimed".into(),
            ),
            None => {
                self.conditions
                    .push("attribute_not_exists(payment.capturedAmount)".into());
                self.sets.push("payment.capturedAmount = :captured".into());
            }
        }
        self.values.insert(":claimedWas".into(), n(was));
        self.values.insert(":claimed".into(), n(claimed));
        self.values.insert(":captured".into(), n(captured));
        self.values.insert(":refunded".into(), value(refunded)?);
        self.sets.push("payment.refundClaimed = :claimed".into());
        self.sets.push("refunded = :refunded".into());
        Ok(self)
    }

    /// A line in the order's history that moves nothing.
    pub(crate) fn note(mut self, entry: HistoryEntry) -> OrderUpdate {
        self.entries.push(entry);
        self
    }

    fn status_as_read(&mut self, order: &Order) {
        if !self.values.contains_key(":current") {
            self.conditions.push("#status = :current".into());
            self.values
                .insert(":current".into(), s(order.status.as_str()));
        }
        self.names.insert("#status".into(), "status".into());
    }

    pub(crate) fn into_tx(
        mut self,
        store: &Store,
        order: &Order,
    ) -> Result<TransactWriteItem, ShopError> {
        if !self.entries.is_empty() {
            self.sets
                .push("history = list_append(history, :entries)".into());
            self.values.insert(":entries".into(), value(&self.entries)?);
        }
        if self.conditions.is_empty() {
            self.conditions.push("attribute_exists(PK)".into());
        }
        let update = Update::builder()
            .table_name(store.table())
            .set_key(Some(key(keys::order_pk(&order.id), keys::ORDER_SK)))
            .update_expression(format!("SET {}", self.sets.join(", ")))
            .condition_expression(self.conditions.join(" AND "))
            .set_expression_attribute_names((!self.names.is_empty()).then_some(self.names))
            .set_expression_attribute_values(Some(self.values));
        Ok(tx(build(update.build())?))
    }
}
