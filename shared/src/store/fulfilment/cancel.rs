//! Cancelling shipments before the carrier has them — one by its seller, or every one of
//! an order its customer or an admin cancels — as one transaction: the shipments
//! (conditional on their status and `rev` as read; out of the carrier's ready queue), the
//! order (its derived status and the refund claim's pin, `OrderUpdate`), the units back
//! on `onHand` (the variant must still exist), the refund claim and the mails.
//! At most 1 + 25 + 25 + 1 + 26 = 78 actions (`MAX_ORDER_LINES` lines and sellers).

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::super::keys;
use super::super::notices::Notice;
use super::super::order_update::OrderUpdate;
use super::super::{build, key, n, s, tx, value, Store, TxOutcome};
use super::shipment_key;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::ids::{ProductId, Sku};
use crate::domain::order::Order;
use crate::domain::refund::Refund;

/// Units going back on sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restock {
    pub product_id: ProductId,
    pub sku: Sku,
    pub quantity: u32,
}

/// One shipment to cancel, as read, with its history entry.
pub struct ShipmentCancel<'a> {
    pub shipment: &'a Shipment,
    pub entry: ShipmentEvent,
    /// Its units go back on sale (not when its seller says they were lost).
    pub restocked: bool,
}

/// A cancellation to write in one transaction.
pub(crate) struct CancelWrite<'a> {
    pub order: &'a Order,
    pub order_update: OrderUpdate,
    pub shipments: Vec<ShipmentCancel<'a>>,
    pub reason: &'a str,
    pub restock: Vec<Restock>,
    pub claim: Option<Refund>,
    pub notices: Vec<Notice>,
}

/// What became of a cancellation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    Written,
    /// A variant to restock no longer exists (its product was deleted): plan again
    /// without it — its units have nowhere to go back to.
    VariantGone(Sku),
    /// The order or a shipment moved since they were read: read them again.
    Changed,
}

impl Store {
    pub(crate) async fn write_cancellation(
        &self,
        c: CancelWrite<'_>,
    ) -> Result<CancelOutcome, ShopError> {
        let mut actions = vec![c.order_update.into_tx(self, c.order)?];
        for cancel in &c.shipments {
            actions.push(self.shipment_cancel(cancel, c.reason, c.claim.as_ref())?);
        }
        let first_restock = actions.len();
        for restock in &c.restock {
            actions.push(self.restock(restock)?);
        }
        if let Some(claim) = &c.claim {
            actions.push(self.claim_put(claim)?);
        }
        for notice in &c.notices {
            actions.push(self.notice_put(&c.order.id, notice)?);
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => CancelOutcome::Written,
            TxOutcome::Cancelled(cancelled) => c
                .restock
                .iter()
                .enumerate()
                .find(|(i, _)| cancelled.failed(first_restock + i))
                .map_or(CancelOutcome::Changed, |(_, r)| {
                    CancelOutcome::VariantGone(r.sku.clone())
                }),
        })
    }

    fn shipment_cancel(
        &self,
        cancel: &ShipmentCancel<'_>,
        reason: &str,
        claim: Option<&Refund>,
    ) -> Result<TransactWriteItem, ShopError> {
        let shipment = cancel.shipment;
        let mut set = vec![
            "#status = :to",
            "cancelReason = :reason",
            "restocked = :restocked",
            "history = list_append(history, :entry)",
        ];
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(shipment_key(&shipment.id)))
            .condition_expression("#status = :from AND rev = :rev")
            .expression_attribute_names("#status", "status")
            // Off the carrier's ready queue: a collection never takes a cancelled parcel.
            .expression_attribute_names("#gsi1pk", keys::GSI1PK)
            .expression_attribute_names("#gsi1sk", keys::GSI1SK)
            .expression_attribute_values(":from", s(shipment.status.as_str()))
            .expression_attribute_values(":rev", n(shipment.rev))
            .expression_attribute_values(":to", s(ShipmentStatus::Cancelled.as_str()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":restocked", value(&cancel.restocked)?)
            .expression_attribute_values(":entry", value(&vec![&cancel.entry])?)
            .expression_attribute_values(":one", n(1));
        // A seller's cancellation claims the shipment's own refund; the order's, one for all.
        if let Some(claim) = claim {
            set.push("refundId = :refundId");
            update = update.expression_attribute_values(":refundId", s(claim.id.as_str()));
        }
        let update = update.update_expression(format!(
            "SET {} REMOVE #gsi1pk, #gsi1sk ADD rev :one",
            set.join(", ")
        ));
        Ok(tx(build(update.build())?))
    }

    /// `quantity` units back on the variant's `onHand`; refused if the variant is gone.
    pub(crate) fn restock(&self, r: &Restock) -> Result<TransactWriteItem, ShopError> {
        Ok(tx(build(
            Update::builder()
                .table_name(self.table())
                .set_key(Some(key(
                    keys::product_pk(&r.product_id),
                    keys::variant_sk(&r.sku),
                )))
                // Every write of a variant counts in `rev` (the search index orders states by it).
                // Put back: counted in the variant's stock ledger (`store::catalog_writes`).
                .update_expression(
                    "SET onHand = onHand + :qty ADD restockedSinceSet :qty, rev :one",
                )
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":qty", n(r.quantity))
                .expression_attribute_values(":one", n(1))
                .build(),
        )?))
    }
}
