//! `ready`: the seller packed a shipment. One conditional update of the shipment: packing
//! changes no order status (only the carrier's having it does), so the order is not written.

use super::super::keys;
use super::super::{n, s, updated, value, Store};
use super::shipment_key;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Parcel, Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::order::Address;

/// What became of a `ready` write.
#[derive(Debug)]
pub enum ReadyOutcome {
    /// Written: the shipment as it is now.
    Written(Box<Shipment>),
    /// The shipment was not at the `rev` read: read it again and decide anew.
    Changed,
}

impl Store {
    /// `awaiting_fulfilment` → `ready`, with its parcels and the pickup address, and onto
    /// GSI1's queue of ready shipments, keyed by `ready_at` (the carrier's next collection
    /// takes what was packed before its slot). Or, for a shipment already `ready`, new
    /// parcels (packed again) with its place in the queue kept. Conditional on the status
    /// and `rev` read, so of two racing writes one wins and the other re-reads.
    pub async fn mark_ready(
        &self,
        shipment: &Shipment,
        parcels: &[Parcel],
        pickup: &Address,
        ready_at: &str,
        entry: &ShipmentEvent,
    ) -> Result<ReadyOutcome, ShopError> {
        let repack = shipment.status == ShipmentStatus::Ready;
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(shipment_key(&shipment.id)))
            .condition_expression("#status = :from AND rev = :rev")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", s(shipment.status.as_str()))
            .expression_attribute_values(":rev", n(shipment.rev))
            .expression_attribute_values(":parcels", value(parcels)?)
            .expression_attribute_values(":pickup", value(pickup)?)
            .expression_attribute_values(":entry", value(&vec![entry])?)
            .expression_attribute_values(":one", n(1))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        update = if repack {
            update.update_expression(
                "SET parcels = :parcels, pickupAddress = :pickup, \
                 history = list_append(history, :entry) ADD rev :one",
            )
        } else {
            update
                .update_expression(
                    "SET #status = :to, parcels = :parcels, pickupAddress = :pickup, \
                     readyAt = :readyAt, #gsi1pk = :queue, #gsi1sk = :queued, \
                     history = list_append(history, :entry) ADD rev :one",
                )
                .expression_attribute_names("#gsi1pk", keys::GSI1PK)
                .expression_attribute_names("#gsi1sk", keys::GSI1SK)
                .expression_attribute_values(":to", s(ShipmentStatus::Ready.as_str()))
                .expression_attribute_values(":readyAt", s(ready_at))
                .expression_attribute_values(":queue", s(keys::READY_SHIPMENTS_PK))
                .expression_attribute_values(
                    ":queued",
                    s(keys::ready_shipment_sk(ready_at, &shipment.id)),
                )
        };
        Ok(match updated(update.send().await)? {
            Some(now) => ReadyOutcome::Written(Box::new(now)),
            None => ReadyOutcome::Changed,
        })
    }
}
