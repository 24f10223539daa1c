//! One carrier event applied: the shipment and its order read, the rules asked, and the
//! change written with the customer's mails it causes (retried when it lost a race).

use super::{FileRun, LineOutcome, BY_CARRIER, MOVE_ATTEMPTS};
use crate::adapters::mail::MailQueue;
use crate::clock::{now_sortable, sortable};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{
    apply, CarrierEvent, Effect, Shipment, ShipmentEvent, ShipmentFacts,
};
use crate::domain::import::Rejection;
use crate::domain::mail::{Mail, ShipmentNews};
use crate::domain::order::Order;
use crate::services::orders::mail_address;
use crate::store::{CarrierChange, MoveOutcome, Notice, OrderWithShipments};

impl<Q: MailQueue + ?Sized> FileRun<'_, Q> {
    /// `tell`: whether the customer is mailed the event's news (see `told_by_delivery`).
    pub(super) async fn apply_event(
        &self,
        line: u64,
        event: &CarrierEvent,
        tell: bool,
    ) -> Result<LineOutcome, ShopError> {
        let unknown = || {
            LineOutcome::Rejected(vec![Rejection::new(
                line,
                "shipmentId",
                "no such shipment was handed to the carrier",
            )])
        };
        for _ in 0..MOVE_ATTEMPTS {
            let Some(OrderWithShipments {
                order, shipments, ..
            }) = self
                .store
                .order_with_shipments(event.shipment_id.order())
                .await?
            else {
                return Ok(unknown());
            };
            let Some(shipment) = shipments.iter().find(|s| s.id == event.shipment_id) else {
                return Ok(unknown());
            };
            let effect = apply(
                &ShipmentFacts {
                    status: shipment.status,
                    tracking_number: shipment.tracking_number.as_deref(),
                    applied: &shipment.carrier_event_ids,
                    out_for_delivery: shipment.out_for_delivery_at.is_some(),
                },
                event,
            );
            let to = match effect {
                Effect::Duplicate => return Ok(LineOutcome::Duplicate),
                Effect::Stale => return Ok(LineOutcome::Stale),
                Effect::Refused { column, reason } => {
                    return Ok(LineOutcome::Rejected(vec![Rejection::new(
                        line, column, reason,
                    )]))
                }
                Effect::Move { to } => Some(to),
                Effect::OutForDelivery => None,
            };
            let order_entry = match to {
                Some(to) => crate::services::fulfilment::order_follows(
                    &order,
                    &shipments,
                    &shipment.id,
                    to,
                    &now_sortable(),
                    BY_CARRIER,
                    format!("shipment {} {}", shipment.id, to.as_str()),
                )?,
                None => None,
            };
            let change = CarrierChange {
                event,
                to: to.map(|to| {
                    let entry = ShipmentEvent {
                        // When it happened, as the carrier says.
                        at: sortable(event.at),
                        from: Some(shipment.status),
                        to,
                        by: BY_CARRIER.into(),
                        why: Some(format!(
                            "{} (event {})",
                            event.kind.as_str(),
                            event.event_id
                        )),
                    };
                    (to, entry)
                }),
                out_for_delivery: effect.marks_out_for_delivery(event),
            };
            let news = if tell { effect.news(event) } else { Vec::new() };
            let notices = self.notices(&order, shipment, event, &news).await?;
            match self
                .store
                .record_carrier_event(&order, shipment, &change, order_entry.as_ref(), &notices)
                .await?
            {
                MoveOutcome::Written => {
                    return Ok(LineOutcome::Applied {
                        noticed: !notices.is_empty(),
                    })
                }
                MoveOutcome::Changed => continue,
            }
        }
        Err(ShopError::Unavailable(format!(
            "shipment {} kept changing; the file is applied again",
            event.shipment_id
        )))
    }

    /// The customer's mails of `news` (none when the order has no address to mail).
    async fn notices(
        &self,
        order: &Order,
        shipment: &Shipment,
        event: &CarrierEvent,
        news: &[ShipmentNews],
    ) -> Result<Vec<Notice>, ShopError> {
        if news.is_empty() {
            return Ok(Vec::new());
        }
        let Some(to) = mail_address(self.store, order).await? else {
            tracing::warn!(order_id = %order.id, "no address to tell of its shipment");
            return Ok(Vec::new());
        };
        Ok(news
            .iter()
            .map(|news| Notice {
                news: news.as_str(),
                subject: shipment.id.to_string(),
                mail: Mail::ShipmentUpdate {
                    to: to.clone(),
                    name: order.shipping_address.name.clone(),
                    order_id: order.id.to_string(),
                    shipment_id: shipment.id.to_string(),
                    news: *news,
                    carrier: shipment
                        .carrier
                        .clone()
                        .unwrap_or_else(|| self.carrier.to_owned()),
                    tracking_number: event.tracking_number.clone(),
                    estimated_delivery: shipment.estimated_delivery.clone(),
                    lines: shipment.mail_lines(),
                },
            })
            .collect())
    }
}
