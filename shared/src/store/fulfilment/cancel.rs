//! `cancel`: the seller cannot fulfil a shipment it has not handed over. The shipment ends
//! `cancelled`, flagged for a refund of its lines and queued on GSI1 `REFUNDS#due`; the
//! order's status is recomputed in the same transaction (cancelling a shipment can complete
//! an order's `shipped` or `delivered`).

use aws_sdk_dynamodb::types::Update;

use super::super::keys;
use super::super::{build, n, s, tx, value, Store, TxOutcome};
use super::shipment_key;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::order::{HistoryEntry, Order};

/// What became of a cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    Written,
    /// The shipment or its order moved since they were read: read both again.
    Changed,
}

impl Store {
    /// Writes the cancellation of `shipment` (read at its `rev`, in a status that may be
    /// cancelled) and, when the order's derived status changes, the order's `order_entry`;
    /// the order is bumped either way, conditional on its `fulfilmentRev` as read.
    pub async fn cancel_shipment(
        &self,
        order: &Order,
        shipment: &Shipment,
        reason: &str,
        entry: &ShipmentEvent,
        order_entry: Option<&HistoryEntry>,
    ) -> Result<CancelOutcome, ShopError> {
        let shipment_update = Update::builder()
            .table_name(self.table())
            .set_key(Some(shipment_key(&shipment.id)))
            .condition_expression("#status = :from AND rev = :rev")
            .update_expression(
                "SET #status = :to, cancelReason = :reason, refundDue = :true, \
                 #gsi1pk = :refunds, #gsi1sk = :due, history = list_append(history, :entry) \
                 ADD rev :one",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#gsi1pk", keys::GSI1PK)
            .expression_attribute_names("#gsi1sk", keys::GSI1SK)
            .expression_attribute_values(":from", s(shipment.status.as_str()))
            .expression_attribute_values(":rev", n(shipment.rev))
            .expression_attribute_values(":to", s(ShipmentStatus::Cancelled.as_str()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":true", value(&true)?)
            .expression_attribute_values(":refunds", s(keys::REFUNDS_DUE_PK))
            .expression_attribute_values(":due", s(keys::refund_due_sk(&entry.at, &shipment.id)))
            .expression_attribute_values(":entry", value(&vec![entry])?)
            .expression_attribute_values(":one", n(1));
        let actions = vec![
            tx(build(shipment_update.build())?),
            self.order_follow_up(order, order_entry)?,
        ];
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => CancelOutcome::Written,
            TxOutcome::Cancelled(_) => CancelOutcome::Changed,
        })
    }
}
