//! Tracking back from the carrier: an event file's lease (`CARRIER` / `INBOX#<etag>`), an
//! event's change of a shipment written with its order's follow-up and the customer mails
//! it causes, and those mails' way out (written with the move, queued after it).

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use serde::Serialize;

use super::super::keys;
use super::super::notices::Notice;
use super::super::{build, conditional, key, n, s, sdk_error, tx, value, Store, TxOutcome};
use super::lease::{Lease, DONE};
use super::{shipment_key, MoveOutcome};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{CarrierEvent, Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::order::{HistoryEntry, Order};

/// What claiming an event file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxClaim {
    /// This attempt applies it (again, when an earlier attempt died or failed partway:
    /// every event already applied is a duplicate then).
    Claimed,
    /// Applied before: nothing to do.
    Done,
    /// Another attempt is applying it now.
    Busy,
}

/// How a carrier event changes a shipment (the rules decide it: `domain::fulfilment::apply`).
pub struct CarrierChange<'a> {
    pub event: &'a CarrierEvent,
    /// The move, with its history entry; `None` for a note (out for delivery).
    pub to: Option<(ShipmentStatus, ShipmentEvent)>,
    pub out_for_delivery: bool,
}

impl Store {
    /// Claims the event file whose content has `etag` (its object `key`, for the record).
    pub async fn claim_inbox_file(
        &self,
        etag: &str,
        object_key: &str,
        token: &str,
        now: i64,
        lease: i64,
    ) -> Result<InboxClaim, ShopError> {
        let fields = vec![("objectKey", s(object_key)), ("etag", s(etag))];
        let sk = keys::inbox_file_sk(etag);
        Ok(
            match self
                .claim_lease(&sk, "carrier_file", fields, token, now, lease)
                .await?
            {
                Lease::Claimed { .. } => InboxClaim::Claimed,
                Lease::Done(_) => InboxClaim::Done,
                Lease::Held => InboxClaim::Busy,
            },
        )
    }

    /// The applied file came again (redelivered, or uploaded again unchanged): counted in
    /// its record's `repeats`, which is all a repeat writes.
    pub async fn count_inbox_repeat(&self, etag: &str) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::CARRIER_PK, keys::inbox_file_sk(etag))))
            .update_expression("ADD repeats :one")
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// The holder of the file's lease is alive at `now`.
    pub async fn heartbeat_inbox_file(
        &self,
        etag: &str,
        token: &str,
        now: i64,
    ) -> Result<bool, ShopError> {
        self.heartbeat_lease(&keys::inbox_file_sk(etag), token, now)
            .await
    }

    /// The file could not be finished (a storage or queue error): the redelivery of its
    /// event takes it over at once.
    pub async fn give_up_inbox_file(&self, etag: &str, token: &str) {
        self.give_up_lease(&keys::inbox_file_sk(etag), token).await
    }

    /// The file is applied; `summary` is what its report says. `false` when another
    /// attempt took the file over meanwhile.
    pub async fn finish_inbox_file<T: Serialize>(
        &self,
        etag: &str,
        token: &str,
        summary: &T,
    ) -> Result<bool, ShopError> {
        let result = self
            .own_lease_update(&keys::inbox_file_sk(etag), token)
            .update_expression("SET #status = :done, summary = :summary, finishedAt = :at")
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":summary", value(summary)?)
            .expression_attribute_values(":at", s(crate::clock::now_sortable()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Writes `change` of `shipment` (conditional on its status and `rev` as read, and on
    /// the event not applied yet), the order's follow-up when it moves (`order_entry`: its
    /// new status, if any) and the `notices` it causes, in one transaction.
    pub async fn record_carrier_event(
        &self,
        order: &Order,
        shipment: &Shipment,
        change: &CarrierChange<'_>,
        order_entry: Option<&HistoryEntry>,
        notices: &[Notice],
    ) -> Result<MoveOutcome, ShopError> {
        let event = change.event;
        let mut set = vec![
            "carrierEventIds = list_append(if_not_exists(carrierEventIds, :none), :eid)",
            // The rules refuse an event with another number than one recorded, and the
            // write is conditional on the shipment as read: this sets it or repeats it.
            "trackingNumber = :tracking",
        ];
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(shipment_key(&shipment.id)))
            // Every write of a shipment bumps `rev`: an event applied since the read (the
            // rules saw its id absent) fails this condition too.
            .condition_expression("#status = :from AND rev = :rev")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", s(shipment.status.as_str()))
            .expression_attribute_values(":rev", n(shipment.rev))
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":eid", AttributeValue::L(vec![s(&event.event_id)]))
            .expression_attribute_values(":tracking", s(&event.tracking_number))
            .expression_attribute_values(":one", n(1));
        if let Some((to, entry)) = &change.to {
            set.push("#status = :to");
            set.push("history = list_append(history, :entry)");
            update = update
                .expression_attribute_values(":to", s(to.as_str()))
                .expression_attribute_values(":entry", value(&vec![entry])?);
            if *to == ShipmentStatus::Delivered {
                set.push("deliveredAt = :at");
            }
        }
        if change.out_for_delivery {
            set.push("outForDeliveryAt = :at");
        }
        let delivered = matches!(change.to, Some((ShipmentStatus::Delivered, _)));
        if delivered || change.out_for_delivery {
            // The carrier's time of the event, for the times it records.
            update = update.expression_attribute_values(":at", s(crate::clock::sortable(event.at)));
        }
        let update = update.update_expression(format!("SET {} ADD rev :one", set.join(", ")));
        let mut actions = vec![tx(build(update.build())?)];
        if change.to.is_some() {
            actions.push(self.order_follow_up(order, order_entry)?);
        }
        for notice in notices {
            actions.push(self.notice_put(&order.id, notice)?);
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => MoveOutcome::Written,
            TxOutcome::Cancelled(_) => MoveOutcome::Changed,
        })
    }
}
