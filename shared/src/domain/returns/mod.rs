//! Returns (RMA): units of a delivered shipment coming back to its seller. The customer
//! asks within the return window, the seller approves or rejects, the seller records what
//! came back (and what of it is damaged), and the refund for the units pays it off. Pure
//! rules; the services read, write and refund.
//!
//! A return belongs to one shipment, so one seller decides it; a request naming units of
//! several shipments is split into one return per shipment ([`plan_returns`]).

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Duration, OffsetDateTime};

use crate::domain::error::FieldError;
use crate::domain::ids::{check_id, OrderId, ProductId, SellerId, ShipmentId, Sku, UserId};
use crate::domain::refund::RefundId;

mod input;

pub use input::{
    check_receipt, plan_returns, Decision, DecisionInput, NewReturn, ReceiptInput,
    ReceiptLineInput, ReturnLineInput, ReturnRequestInput,
};

/// Most lines in one return request: as many as an order may have.
pub const MAX_RETURN_LINES: usize = 25;

/// The last instant a shipment delivered at `delivered_at` may be returned: whole days of
/// 86,400 seconds after delivery, the carrier's clock. That instant is still inside.
pub fn window_closes(delivered_at: OffsetDateTime, window_days: u32) -> OffsetDateTime {
    delivered_at + Duration::days(i64::from(window_days))
}

/// A return's id: "<shipmentId>.r<n>" (n ≥ 1, the shipment's n-th return request).
/// Derived from its shipment, so a route finds the order (and the shipment) without a
/// lookup. A shipment id never ends in `.r<digits>` (its seller part is `s` and hex), so
/// the id splits at its last `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReturnId(String);

impl ReturnId {
    pub const FIELD: &'static str = "returnId";
    const MAX_LEN: usize = 200;

    /// The id of `shipment`'s `n`-th return request (`n` counts from 1).
    pub fn new(shipment: &ShipmentId, n: u32) -> ReturnId {
        let id = ReturnId(format!("{shipment}.r{n}"));
        debug_assert!(ReturnId::parse(id.as_str()).is_ok(), "{id}");
        id
    }

    /// A return id as sent back: at most 200 characters of `[A-Za-z0-9._-]`, led by a
    /// letter or digit, a shipment id, `.r` and a number from 1 without leading zeros
    /// (one id per return: `r01` would be a second spelling of `r1`).
    pub fn parse(raw: &str) -> Result<ReturnId, FieldError> {
        let refuse = |why: &str| Err(FieldError::new(Self::FIELD, why));
        check_id(raw, Self::FIELD, Self::MAX_LEN)?;
        let well_formed = raw.rsplit_once('.').is_some_and(|(shipment, number)| {
            ShipmentId::parse(shipment).is_ok() && request_number(number).is_some()
        });
        if !well_formed {
            return refuse("must be a return id (<shipmentId>.r<n>)");
        }
        Ok(ReturnId(raw.to_owned()))
    }

    /// The shipment the return belongs to.
    pub fn shipment(&self) -> ShipmentId {
        let (shipment, _) = self
            .0
            .rsplit_once('.')
            .expect("a return id has a '.' (checked when made)");
        ShipmentId::parse(shipment)
            .expect("a return id starts with a shipment id (checked when made)")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `n` of an id's last part `r<n>`: a number from 1 up, no leading zeros.
fn request_number(part: &str) -> Option<u32> {
    let digits = part.strip_prefix('r')?;
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|&n| n >= 1)
}

impl fmt::Display for ReturnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ReturnId {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<ReturnId, FieldError> {
        ReturnId::parse(&raw)
    }
}

impl From<ReturnId> for String {
    fn from(id: ReturnId) -> String {
        id.0
    }
}

/// Where a return stands. `Rejected` and `Refunded` are ends: nothing leaves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    /// The customer asked; the seller has not decided.
    Requested,
    /// The seller agreed: the customer sends the units back.
    Approved,
    /// The seller refused, or the approved parcel never came.
    Rejected,
    /// The seller has the parcel and recorded what came back.
    Received,
    /// The refund for the units received was made (Stripe refunded it).
    Refunded,
}

impl ReturnStatus {
    pub const ALL: [ReturnStatus; 5] = [
        ReturnStatus::Requested,
        ReturnStatus::Approved,
        ReturnStatus::Rejected,
        ReturnStatus::Received,
        ReturnStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "requested",
            ReturnStatus::Approved => "approved",
            ReturnStatus::Rejected => "rejected",
            ReturnStatus::Received => "received",
            ReturnStatus::Refunded => "refunded",
        }
    }

    /// A status as a client names it (a `?status=` filter).
    pub fn parse(raw: &str) -> Result<ReturnStatus, FieldError> {
        ReturnStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = ReturnStatus::ALL.iter().map(|s| s.as_str()).collect();
                FieldError::new("status", &format!("must be one of {}", names.join(", ")))
            })
    }

    /// The one table of return moves. An approved return may still be rejected: the
    /// parcel never came, and its units must become returnable again. Once received,
    /// the units are the seller's, so only the refund follows.
    pub fn may_become(self, next: ReturnStatus) -> bool {
        use ReturnStatus::*;
        matches!(
            (self, next),
            (Requested, Approved | Rejected)
                | (Approved, Received | Rejected)
                | (Received, Refunded)
        )
    }
}

/// One line of a return: units of one SKU of the shipment, why, and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnLine {
    pub sku: Sku,
    pub product_id: ProductId,
    pub product_name: String,
    /// Units the customer sends back.
    pub quantity: u32,
    /// Why, in the customer's words.
    pub reason: String,
    /// Units that arrived (damaged ones included), once received.
    #[serde(default)]
    pub received_quantity: Option<u32>,
    /// Of those, units that cannot go back on sale.
    #[serde(default)]
    pub damaged_quantity: Option<u32>,
}

/// One move of a return: when, from which status to which, by whom
/// (`customer:<id>`, `seller:<sellerId>`, `admin:<id>`), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnEvent {
    pub at: String,
    pub from: Option<ReturnStatus>,
    pub to: ReturnStatus,
    pub by: String,
    pub why: Option<String>,
}

/// The stored return (`ORDER#<orderId>` / `RETURN#<returnId>`): one shipment's units
/// coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Return {
    pub id: ReturnId,
    pub order_id: OrderId,
    pub shipment_id: ShipmentId,
    pub customer_id: UserId,
    /// The seller's account (private); views show the public [`SellerId`].
    pub seller: UserId,
    pub seller_id: SellerId,
    pub status: ReturnStatus,
    pub lines: Vec<ReturnLine>,
    pub requested_at: String,
    /// When the seller approved or rejected it.
    #[serde(default)]
    pub decided_at: Option<String>,
    #[serde(default)]
    pub decision_reason: Option<String>,
    #[serde(default)]
    pub received_at: Option<String>,
    /// The refund of the units received, once claimed.
    #[serde(default)]
    pub refund_id: Option<RefundId>,
    pub history: Vec<ReturnEvent>,
    /// Counts every write of the return.
    #[serde(default)]
    pub rev: u64,
}

impl Return {
    /// The return as its customer and its seller see it: no account ids.
    pub fn view(&self) -> ReturnView {
        ReturnView {
            id: self.id.clone(),
            order_id: self.order_id.clone(),
            shipment_id: self.shipment_id.clone(),
            seller_id: self.seller_id.clone(),
            status: self.status,
            lines: self.lines.clone(),
            requested_at: self.requested_at.clone(),
            decided_at: self.decided_at.clone(),
            decision_reason: self.decision_reason.clone(),
            received_at: self.received_at.clone(),
            refund_id: self.refund_id.clone(),
            history: self.history.clone(),
            rev: self.rev,
        }
    }

    /// Units received (damaged included) per SKU, once received: in the return's line
    /// order, SKUs of which none came back left out (empty before receipt).
    pub fn received_units(&self) -> Vec<(Sku, u32)> {
        self.units_where(|line| line.received_quantity)
    }

    /// Units back on sale per SKU: received minus damaged, in the same order, zeros left out.
    pub fn restock_units(&self) -> Vec<(Sku, u32)> {
        self.units_where(|line| {
            let received = line.received_quantity?;
            Some(received.saturating_sub(line.damaged_quantity.unwrap_or(0)))
        })
    }

    fn units_where(&self, units: impl Fn(&ReturnLine) -> Option<u32>) -> Vec<(Sku, u32)> {
        self.lines
            .iter()
            .filter_map(|line| match units(line) {
                Some(q) if q > 0 => Some((line.sku.clone(), q)),
                _ => None,
            })
            .collect()
    }
}

/// A return as its customer and its seller see it (`GET /returns/{id}`): built field by
/// field, so a field added to [`Return`] is shown to nobody until named here.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnView {
    pub id: ReturnId,
    pub order_id: OrderId,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub status: ReturnStatus,
    pub lines: Vec<ReturnLine>,
    pub requested_at: String,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    pub received_at: Option<String>,
    pub refund_id: Option<RefundId>,
    pub history: Vec<ReturnEvent>,
    pub rev: u64,
}

#[cfg(test)]
mod tests;
