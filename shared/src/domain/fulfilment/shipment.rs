//! Shipments: the part of a paid order one seller ships, and the moves it makes from
//! the seller's shelf to the customer's door.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::{OrderId, ProductId, SellerId, ShipmentId, Sku, UserId};
use crate::domain::mail::MailLine;
use crate::domain::money::Money;
use crate::domain::order::{cancel_reason, Address, Order};
use crate::domain::refund::RefundId;

/// Where a shipment stands. `Delivered`, `DeliveryFailed` (returned to the seller) and
/// `Cancelled` are ends: nothing leaves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    /// The order is paid; the seller has not packed it yet.
    AwaitingFulfilment,
    /// Packed, with its parcels: goes on the next carrier collection.
    Ready,
    /// On a carrier manifest: the carrier collects it.
    HandedOver,
    InTransit,
    Delivered,
    DeliveryFailed,
    /// The seller could not fulfil it (before hand-over); its lines are due a refund.
    Cancelled,
}

impl ShipmentStatus {
    pub const ALL: [ShipmentStatus; 7] = [
        ShipmentStatus::AwaitingFulfilment,
        ShipmentStatus::Ready,
        ShipmentStatus::HandedOver,
        ShipmentStatus::InTransit,
        ShipmentStatus::Delivered,
        ShipmentStatus::DeliveryFailed,
        ShipmentStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::AwaitingFulfilment => "awaiting_fulfilment",
            ShipmentStatus::Ready => "ready",
            ShipmentStatus::HandedOver => "handed_over",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::DeliveryFailed => "delivery_failed",
            ShipmentStatus::Cancelled => "cancelled",
        }
    }

    /// A status as a client names it (`GET /seller/orders?status=`).
    pub fn parse(raw: &str) -> Result<ShipmentStatus, FieldError> {
        ShipmentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = ShipmentStatus::ALL.iter().map(|s| s.as_str()).collect();
                FieldError::new("status", &format!("must be one of {}", names.join(", ")))
            })
    }

    /// The one table of shipment moves. A carrier's `delivered` may arrive before any
    /// `in_transit` (a late scan never comes), so a handed-over shipment may end at once.
    pub fn may_become(self, next: ShipmentStatus) -> bool {
        use ShipmentStatus::*;
        matches!(
            (self, next),
            (AwaitingFulfilment, Ready | Cancelled)
                | (Ready, HandedOver | Cancelled)
                | (HandedOver, InTransit | Delivered | DeliveryFailed)
                | (InTransit, Delivered | DeliveryFailed)
        )
    }

    pub fn is_end(self) -> bool {
        matches!(
            self,
            ShipmentStatus::Delivered | ShipmentStatus::DeliveryFailed | ShipmentStatus::Cancelled
        )
    }

    /// The carrier has (or had) it: handed over or any later state but a cancellation.
    pub fn carrier_has_it(self) -> bool {
        matches!(
            self,
            ShipmentStatus::HandedOver
                | ShipmentStatus::InTransit
                | ShipmentStatus::Delivered
                | ShipmentStatus::DeliveryFailed
        )
    }
}

/// One line of a shipment: an order line of this seller, as bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentLine {
    pub sku: Sku,
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub line_total: Money,
}

/// One packed parcel, as the carrier needs it to plan a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parcel {
    pub weight_grams: u32,
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
}

/// Most parcels in one shipment.
pub const MAX_PARCELS: usize = 20;
/// The heaviest parcel the carrier takes (31.5 kg, a common parcel-carrier limit).
pub const MAX_PARCEL_GRAMS: i64 = 31_500;
/// The longest side the carrier takes, in millimetres.
pub const MAX_PARCEL_SIDE_MM: i64 = 2_000;

/// One move of a shipment: when, from which status to which, by whom
/// (`seller:<sellerId>`, `system:checkout`, `carrier`), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentEvent {
    pub at: String,
    pub from: Option<ShipmentStatus>,
    pub to: ShipmentStatus,
    pub by: String,
    pub why: Option<String>,
}

/// The stored shipment. It carries no customer id, email or payment, so nothing shown
/// to its seller can leak them; the order beside it holds those.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub id: ShipmentId,
    pub order_id: OrderId,
    /// The seller's account (private); views show the public [`SellerId`].
    pub seller: UserId,
    pub seller_id: SellerId,
    pub status: ShipmentStatus,
    pub lines: Vec<ShipmentLine>,
    pub shipping_address: Address,
    pub service_level: String,
    #[serde(default)]
    pub parcels: Vec<Parcel>,
    /// The seller's pickup address when it marked the shipment ready (a snapshot: a
    /// later change of its profile does not move a parcel already announced).
    #[serde(default)]
    pub pickup_address: Option<Address>,
    #[serde(default)]
    pub ready_at: Option<String>,
    #[serde(default)]
    pub handoff_run_id: Option<String>,
    /// The attempt of the run that handed it over (a run taken over has several).
    #[serde(default)]
    pub handoff_token: Option<String>,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub estimated_delivery: Option<String>,
    /// When the carrier said it was out for delivery (its time).
    #[serde(default)]
    pub out_for_delivery_at: Option<String>,
    /// When the carrier delivered it (its time).
    #[serde(default)]
    pub delivered_at: Option<String>,
    /// The ids of the carrier's events applied to it: a resent event changes nothing.
    #[serde(default)]
    pub carrier_event_ids: Vec<String>,
    #[serde(default)]
    pub cancel_reason: Option<String>,
    /// Cancelled with its units back on sale (not when its seller said they were lost).
    #[serde(default)]
    pub restocked: bool,
    /// The refund its cancellation claimed (its seller's cancellation, not the order's).
    #[serde(default)]
    pub refund_id: Option<RefundId>,
    /// Units of each SKU in return requests not rejected: what may still be returned is
    /// the line's quantity minus these.
    #[serde(default)]
    pub return_requested: BTreeMap<Sku, u32>,
    /// Units of each SKU received back by its seller (damaged ones included).
    #[serde(default)]
    pub returned: BTreeMap<Sku, u32>,
    /// Return requests made of it so far: numbers its returns' ids.
    #[serde(default)]
    pub return_seq: u32,
    pub history: Vec<ShipmentEvent>,
    /// Counts every write of the shipment.
    #[serde(default)]
    pub rev: u64,
    pub created_at: String,
}

impl Shipment {
    /// Its lines as a mail lists them.
    pub fn mail_lines(&self) -> Vec<MailLine> {
        self.lines
            .iter()
            .map(|l| MailLine {
                sku: l.sku.to_string(),
                product_name: l.product_name.clone(),
                quantity: l.quantity,
            })
            .collect()
    }
}

/// The service level every shipment has until customers can choose one.
pub const STANDARD_SERVICE: &str = "standard";
/// Who creates shipments: the checkout, when the payment is confirmed.
pub const BY_CHECKOUT: &str = "system:checkout";

/// A paid order's shipments: one per seller, in the order the seller's first line
/// appears, each with that seller's lines in order.
pub fn shipments_of(order: &Order, now: &str) -> Vec<Shipment> {
    let mut shipments: Vec<Shipment> = Vec::new();
    for line in &order.lines {
        let shipment_line = ShipmentLine {
            sku: line.sku.clone(),
            product_id: line.product_id.clone(),
            product_name: line.product_name.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            line_total: line.line_total,
        };
        if let Some(s) = shipments.iter_mut().find(|s| s.seller == line.seller_id) {
            s.lines.push(shipment_line);
            continue;
        }
        let seller_id = SellerId::of(&line.seller_id);
        shipments.push(Shipment {
            id: ShipmentId::new(order.id.clone(), seller_id.clone()),
            order_id: order.id.clone(),
            seller: line.seller_id.clone(),
            seller_id,
            status: ShipmentStatus::AwaitingFulfilment,
            lines: vec![shipment_line],
            shipping_address: order.shipping_address.clone(),
            service_level: STANDARD_SERVICE.into(),
            parcels: Vec::new(),
            pickup_address: None,
            ready_at: None,
            handoff_run_id: None,
            handoff_token: None,
            carrier: None,
            tracking_number: None,
            estimated_delivery: order.estimated_delivery.clone(),
            out_for_delivery_at: None,
            delivered_at: None,
            carrier_event_ids: Vec::new(),
            cancel_reason: None,
            restocked: false,
            refund_id: None,
            return_requested: BTreeMap::new(),
            returned: BTreeMap::new(),
            return_seq: 0,
            history: vec![ShipmentEvent {
                at: now.to_owned(),
                from: None,
                to: ShipmentStatus::AwaitingFulfilment,
                by: BY_CHECKOUT.into(),
                why: Some("order paid".into()),
            }],
            rev: 0,
            created_at: now.to_owned(),
        });
    }
    shipments
}

/// `POST /seller/shipments/{id}/ready` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadyInput {
    pub parcels: Vec<ParcelInput>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParcelInput {
    pub weight_grams: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
}

impl ReadyInput {
    /// The parcels, each value checked and named by its place (`parcels[1].weightGrams`).
    pub fn parse(&self) -> Result<Vec<Parcel>, ShopError> {
        let mut v = Validator::default();
        if self.parcels.is_empty() || self.parcels.len() > MAX_PARCELS {
            v.check::<()>(Err(FieldError::new(
                "parcels",
                &format!("must list 1 to {MAX_PARCELS} parcels"),
            )));
        }
        let mut parcels = Vec::new();
        for (i, p) in self.parcels.iter().enumerate() {
            let mut measure = |name: &str, value: i64, max: i64| {
                v.check(if (1..=max).contains(&value) {
                    Ok(value as u32)
                } else {
                    Err(FieldError::new(
                        &format!("parcels[{i}].{name}"),
                        &format!("must be a whole number from 1 to {max}"),
                    ))
                })
            };
            let weight = measure("weightGrams", p.weight_grams, MAX_PARCEL_GRAMS);
            let length = measure("lengthMm", p.length_mm, MAX_PARCEL_SIDE_MM);
            let width = measure("widthMm", p.width_mm, MAX_PARCEL_SIDE_MM);
            let height = measure("heightMm", p.height_mm, MAX_PARCEL_SIDE_MM);
            if let (Some(weight_grams), Some(length_mm), Some(width_mm), Some(height_mm)) =
                (weight, length, width, height)
            {
                parcels.push(Parcel {
                    weight_grams,
                    length_mm,
                    width_mm,
                    height_mm,
                });
            }
        }
        v.finish()?;
        Ok(parcels)
    }
}

/// `POST /seller/shipments/{id}/cancel` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelInput {
    pub reason: String,
    /// The units are lost (damaged, stolen): they do not go back on sale.
    #[serde(default)]
    pub lost: bool,
}

impl CancelInput {
    /// The reason, checked, and whether the units are lost.
    pub fn parse(&self) -> Result<(String, bool), ShopError> {
        Ok((cancel_reason(&self.reason)?, self.lost))
    }
}
