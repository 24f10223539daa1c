//! Tracking back from the carrier: one line of its event files (the contract), checked
//! strictly, and what an event does to a shipment. Events arrive late, twice and out of
//! order; a shipment only moves forward, and an end is never left.

use serde::Deserialize;
use time::OffsetDateTime;

use super::shipment::ShipmentStatus;
use crate::domain::ids::ShipmentId;
use crate::domain::import::Rejection;
use crate::domain::mail::ShipmentNews;

/// What the carrier reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierEventKind {
    Collected,
    InTransit,
    OutForDelivery,
    Delivered,
    DeliveryFailed,
}

impl CarrierEventKind {
    pub const NAMES: [(&'static str, CarrierEventKind); 5] = [
        ("collected", CarrierEventKind::Collected),
        ("in_transit", CarrierEventKind::InTransit),
        ("out_for_delivery", CarrierEventKind::OutForDelivery),
        ("delivered", CarrierEventKind::Delivered),
        ("delivery_failed", CarrierEventKind::DeliveryFailed),
    ];

    pub fn as_str(self) -> &'static str {
        CarrierEventKind::NAMES
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("unknown")
    }

    /// The status the event moves a shipment to.
    pub fn target(self) -> ShipmentStatus {
        match self {
            CarrierEventKind::Collected
            | CarrierEventKind::InTransit
            | CarrierEventKind::OutForDelivery => ShipmentStatus::InTransit,
            CarrierEventKind::Delivered => ShipmentStatus::Delivered,
            CarrierEventKind::DeliveryFailed => ShipmentStatus::DeliveryFailed,
        }
    }
}

/// One event, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierEvent {
    pub shipment_id: ShipmentId,
    pub kind: CarrierEventKind,
    pub at: OffsetDateTime,
    pub tracking_number: String,
    pub event_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EventLine {
    shipment_id: String,
    event: String,
    at: String,
    tracking_number: String,
    event_id: String,
}

/// How far ahead of now an event's time may be (clocks differ; the future has not happened).
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 24 * 60 * 60;

/// Reads line `line` of an event file: one JSON object with exactly `shipmentId`, `event`,
/// `at` (RFC 3339, at most a day after `now`), `trackingNumber` (4-40 of `A-Z0-9-`, upper
/// case) and `eventId` (1-100 of `A-Za-z0-9._:-`). Every problem is named by its field.
pub fn parse_event_line(
    line: u64,
    text: &str,
    now: OffsetDateTime,
) -> Result<CarrierEvent, Vec<Rejection>> {
    let raw: EventLine = serde_json::from_str(text)
        .map_err(|e| vec![Rejection::new(line, "", &format!("not an event: {e}"))])?;
    let mut problems = Vec::new();
    let shipment_id = ShipmentId::parse(&raw.shipment_id)
        .map_err(|e| problems.push(Rejection::new(line, "shipmentId", &e.message)))
        .ok();
    let kind = CarrierEventKind::NAMES
        .iter()
        .find(|(name, _)| *name == raw.event)
        .map(|(_, kind)| *kind);
    if kind.is_none() {
        let names: Vec<&str> = CarrierEventKind::NAMES.iter().map(|(n, _)| *n).collect();
        problems.push(Rejection::new(
            line,
            "event",
            &format!("must be one of {}", names.join(", ")),
        ));
    }
    let at = OffsetDateTime::parse(&raw.at, &time::format_description::well_known::Rfc3339).ok();
    match at {
        None => problems.push(Rejection::new(line, "at", "must be an RFC 3339 time")),
        Some(at) if (at - now).whole_seconds() > MAX_CLOCK_SKEW_SECONDS => problems.push(
            Rejection::new(line, "at", "is more than a day in the future"),
        ),
        Some(_) => {}
    }
    let tracking_number = raw.tracking_number.trim().to_ascii_uppercase();
    if !(4..=40).contains(&tracking_number.len())
        || !tracking_number
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        problems.push(Rejection::new(
            line,
            "trackingNumber",
            "must be 4 to 40 letters, digits and '-'",
        ));
    }
    let event_id = raw.event_id;
    if !(1..=100).contains(&event_id.len())
        || !event_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        problems.push(Rejection::new(
            line,
            "eventId",
            "must be 1 to 100 letters, digits, '.', '_', ':' and '-'",
        ));
    }
    match (shipment_id, kind, at) {
        (Some(shipment_id), Some(kind), Some(at)) if problems.is_empty() => Ok(CarrierEvent {
            shipment_id,
            kind,
            at,
            tracking_number,
            event_id,
        }),
        _ => Err(problems),
    }
}

/// What the shop knows of a shipment when an event for it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentFacts<'a> {
    pub status: ShipmentStatus,
    pub tracking_number: Option<&'a str>,
    pub applied: &'a [String],
    pub out_for_delivery: bool,
}

/// What an event does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The shipment moves to `to` (and records the event and its tracking number).
    Move { to: ShipmentStatus },
    /// No move, but something to record: the parcel is out for delivery.
    OutForDelivery,
    /// This event id was applied already.
    Duplicate,
    /// Older news than the shipment's state (e.g. `in_transit` after `delivered`): counted, ignored.
    Stale,
    /// Not applicable: the file's report names the line's `column` and the `reason`.
    Refused {
        column: &'static str,
        reason: &'static str,
    },
}

impl Effect {
    /// What the customer is told when `event` has this effect: `shipped` when the carrier
    /// first reports the parcel moving (with its tracking number), `out_for_delivery`
    /// once, and the end it reached. A `delivered` that arrives first tells only that.
    /// Each is told once per shipment: the effects that tell it happen once.
    pub fn news(&self, event: &CarrierEvent) -> Vec<ShipmentNews> {
        match self {
            Effect::Move {
                to: ShipmentStatus::InTransit,
            } if event.kind == CarrierEventKind::OutForDelivery => {
                vec![ShipmentNews::Shipped, ShipmentNews::OutForDelivery]
            }
            Effect::Move {
                to: ShipmentStatus::InTransit,
            } => vec![ShipmentNews::Shipped],
            Effect::Move {
                to: ShipmentStatus::Delivered,
            } => vec![ShipmentNews::Delivered],
            Effect::Move {
                to: ShipmentStatus::DeliveryFailed,
            } => vec![ShipmentNews::DeliveryFailed],
            Effect::OutForDelivery => vec![ShipmentNews::OutForDelivery],
            _ => Vec::new(),
        }
    }

    /// The effect records that the parcel is out for delivery (as a note, or with the
    /// move an `out_for_delivery` that came first makes).
    pub fn marks_out_for_delivery(&self, event: &CarrierEvent) -> bool {
        match self {
            Effect::OutForDelivery => true,
            Effect::Move { .. } => event.kind == CarrierEventKind::OutForDelivery,
            _ => false,
        }
    }
}

fn rank(status: ShipmentStatus) -> u8 {
    match status {
        ShipmentStatus::AwaitingFulfilment => 0,
        ShipmentStatus::Ready => 1,
        ShipmentStatus::HandedOver => 2,
        ShipmentStatus::InTransit => 3,
        ShipmentStatus::Delivered | ShipmentStatus::DeliveryFailed | ShipmentStatus::Cancelled => 4,
    }
}

/// The one rule of tracking: forward only, ends kept, the same event once.
pub fn apply(shipment: &ShipmentFacts<'_>, event: &CarrierEvent) -> Effect {
    if shipment.applied.contains(&event.event_id) {
        return Effect::Duplicate;
    }
    if shipment.status == ShipmentStatus::Cancelled {
        return Effect::Refused {
            column: "shipmentId",
            reason: "the shipment was cancelled before hand-over",
        };
    }
    if !shipment.status.carrier_has_it() {
        return Effect::Refused {
            column: "shipmentId",
            reason: "the shipment was never handed to the carrier",
        };
    }
    if shipment
        .tracking_number
        .is_some_and(|known| known != event.tracking_number)
    {
        return Effect::Refused {
            column: "trackingNumber",
            reason: "another tracking number is recorded for this shipment",
        };
    }
    let to = event.kind.target();
    if shipment.status.is_end() {
        return Effect::Stale;
    }
    if rank(to) > rank(shipment.status) && shipment.status.may_become(to) {
        return Effect::Move { to };
    }
    if event.kind == CarrierEventKind::OutForDelivery && !shipment.out_for_delivery {
        return Effect::OutForDelivery;
    }
    Effect::Stale
}

/// Which events of one carrier file tell their customer nothing because the same file
/// delivers the parcel (its shipment and tracking number): the carrier sends its news
/// twice a week, so a parcel collected and delivered between two files would otherwise
/// mail "shipped", "out for delivery" and "delivered" in the same minute. The delivered
/// mail carries the tracking number the shipped one would have. The parcel's first end
/// in the file decides, as [`apply`] does (an end is never left): a failed delivery
/// listed first tells its news, and the shipping before it is told too. By position in
/// `events`; the events are still applied, only not mailed.
pub fn told_by_delivery(events: &[&CarrierEvent]) -> Vec<bool> {
    let first_end = |e: &CarrierEvent| {
        events.iter().find(|x| {
            x.shipment_id == e.shipment_id
                && x.tracking_number == e.tracking_number
                && x.kind.target().is_end()
        })
    };
    events
        .iter()
        .map(|e| {
            !e.kind.target().is_end()
                && first_end(e).is_some_and(|end| end.kind == CarrierEventKind::Delivered)
        })
        .collect()
}

#[cfg(test)]
mod tests;
