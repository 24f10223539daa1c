//! What customers and sellers send about returns, checked against the shipments and the
//! return as they stand. Every problem of a request is reported at once, each field named
//! by its place (`lines[1].quantity`).

use serde::Deserialize;
use std::collections::BTreeSet;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::{window_closes, Return, ReturnLine, MAX_RETURN_LINES};
use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::fulfilment::{Shipment, ShipmentLine, ShipmentStatus};
use crate::domain::ids::Sku;
use crate::domain::order::cancel_reason;

/// `POST /orders/{id}/returns` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReturnRequestInput {
    pub lines: Vec<ReturnLineInput>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReturnLineInput {
    pub sku: String,
    pub quantity: i64,
    pub reason: String,
}

/// A return to create: the index of its shipment in the `shipments` given, and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReturn {
    pub shipment: usize,
    pub lines: Vec<ReturnLine>,
}

/// `sku` parsed, its error named by its place in `lines`.
fn line_sku(i: usize, raw: &str) -> Result<Sku, FieldError> {
    Sku::parse(raw).map_err(|e| FieldError::new(&format!("lines[{i}].sku"), &e.message))
}

/// A line's reason, by the rule of a cancellation's reason (one rule for every reason a
/// customer writes), its error named by its place in `lines`.
fn line_reason(i: usize, raw: &str) -> Result<String, FieldError> {
    cancel_reason(raw).map_err(|e| {
        let message = match e {
            ShopError::Invalid(mut errors) if !errors.is_empty() => errors.swap_remove(0).message,
            other => other.to_string(),
        };
        FieldError::new(&format!("lines[{i}].reason"), &message)
    })
}

/// `YYYY-MM-DD` of `t` in UTC.
fn utc_date(t: OffsetDateTime) -> String {
    let date = t.to_offset(UtcOffset::UTC).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Checks a request against the order's shipments as they stand and splits it into one
/// return per shipment (in the order of the shipments given), each with its lines in
/// the order asked. `now`: the time of the request; `window_days`: ReturnWindowDays.
///
/// A SKU is returnable when its shipment is delivered (with the carrier's time of it)
/// and the window since is open; at most its line's quantity may be asked for (else 422),
/// and of that only what returns not rejected do not hold already (else 409: a conflict
/// with those requests, as when two are made at once). A shipment whose stored `deliveredAt` cannot be read is
/// the shop's fault, not the request's: an internal error.
pub fn plan_returns(
    shipments: &[Shipment],
    input: &ReturnRequestInput,
    now: OffsetDateTime,
    window_days: u32,
) -> Result<Vec<NewReturn>, ShopError> {
    let mut v = Validator::default();
    if input.lines.is_empty() || input.lines.len() > MAX_RETURN_LINES {
        v.check::<()>(Err(FieldError::new(
            "lines",
            &format!("must list 1 to {MAX_RETURN_LINES} lines"),
        )));
    }
    let mut seen: BTreeSet<Sku> = BTreeSet::new();
    let mut taken: Vec<String> = Vec::new();
    // (shipment index, line) of every line found good, in the order asked.
    let mut planned: Vec<(usize, ReturnLine)> = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let sku_field = format!("lines[{i}].sku");
        let sku = v.check(line_sku(i, &line.sku));
        let repeated = sku.as_ref().is_some_and(|sku| !seen.insert(sku.clone()));
        if repeated {
            v.check::<()>(Err(FieldError::new(&sku_field, "appears more than once")));
        }
        let origin = match (&sku, repeated) {
            (Some(sku), false) => v.check(
                returnable(shipments, sku, now, window_days)?
                    .map_err(|why| FieldError::new(&sku_field, &why)),
            ),
            _ => None,
        };
        let quantity_field = format!("lines[{i}].quantity");
        let quantity = if line.quantity < 1 {
            v.check::<()>(Err(FieldError::new(&quantity_field, "must be at least 1")));
            None
        } else {
            // Only a returnable line has a limit worth telling: the others are refused
            // for their SKU already.
            match &origin {
                Some(Returnable {
                    line: delivered, ..
                }) if line.quantity > i64::from(delivered.quantity) => {
                    v.check::<()>(Err(FieldError::new(
                        &quantity_field,
                        &format!("more than delivered: {} delivered", delivered.quantity),
                    )));
                    None
                }
                // Within what was delivered, but other returns hold the units: a conflict
                // with those requests, not a wrong request (409 once all else is right).
                Some(Returnable { left, .. }) if line.quantity > i64::from(*left) => {
                    taken.push(format!(
                        "{quantity_field}: {} asked, {left} left (the rest is in other returns)",
                        line.quantity
                    ));
                    None
                }
                _ => u32::try_from(line.quantity).ok(),
            }
        };
        let reason = v.check(line_reason(i, &line.reason));
        if let (Some(Returnable { shipment, line, .. }), Some(quantity), Some(reason)) =
            (origin, quantity, reason)
        {
            planned.push((
                shipment,
                ReturnLine {
                    sku: line.sku.clone(),
                    product_id: line.product_id.clone(),
                    product_name: line.product_name.clone(),
                    quantity,
                    reason,
                    received_quantity: None,
                    damaged_quantity: None,
                },
            ));
        }
    }
    v.finish()?;
    if !taken.is_empty() {
        return Err(ShopError::Conflict(format!(
            "these units were asked back already: {}",
            taken.join("; ")
        )));
    }
    let mut returns: Vec<NewReturn> = Vec::new();
    for at in 0..shipments.len() {
        let lines: Vec<ReturnLine> = planned
            .iter()
            .filter(|(of, _)| *of == at)
            .map(|(_, line)| line.clone())
            .collect();
        if !lines.is_empty() {
            returns.push(NewReturn {
                shipment: at,
                lines,
            });
        }
    }
    Ok(returns)
}

/// A SKU that may be returned: its shipment (an index), its line there, and the units
/// of it left to return.
struct Returnable<'a> {
    shipment: usize,
    line: &'a ShipmentLine,
    left: u32,
}

/// Where `sku` may be returned from, or why it may not be (in words for its field).
fn returnable<'a>(
    shipments: &'a [Shipment],
    sku: &Sku,
    now: OffsetDateTime,
    window_days: u32,
) -> Result<Result<Returnable<'a>, String>, ShopError> {
    let found = shipments.iter().enumerate().find_map(|(at, shipment)| {
        let line = shipment.lines.iter().find(|l| l.sku == *sku)?;
        Some((at, shipment, line))
    });
    let Some((at, shipment, line)) = found else {
        return Ok(Err("is not in this order".to_owned()));
    };
    let Some(delivered) = delivered_at(shipment)? else {
        return Ok(Err("has not been delivered".to_owned()));
    };
    let closes = window_closes(delivered, window_days);
    if now > closes {
        return Ok(Err(format!(
            "the return window closed on {}",
            utc_date(closes)
        )));
    }
    // Units in returns not rejected are spoken for, even before they come back.
    let requested = shipment.return_requested.get(sku).copied().unwrap_or(0);
    Ok(Ok(Returnable {
        shipment: at,
        line,
        left: line.quantity.saturating_sub(requested),
    }))
}

/// When `shipment` was delivered, if it was: delivered, with the carrier's time of it.
fn delivered_at(shipment: &Shipment) -> Result<Option<OffsetDateTime>, ShopError> {
    match (&shipment.status, &shipment.delivered_at) {
        (ShipmentStatus::Delivered, Some(raw)) => {
            OffsetDateTime::parse(raw, &Rfc3339).map(Some).map_err(|e| {
                ShopError::internal(format!(
                    "shipment {} has an unreadable deliveredAt {raw:?}: {e}",
                    shipment.id
                ))
            })
        }
        _ => Ok(None),
    }
}

/// `POST /returns/{id}/decision` as sent: `{decision: "approve"|"reject", reason}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: String,
    pub reason: String,
}

/// A seller's answer to a requested return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl DecisionInput {
    /// The decision and its reason, checked; both problems reported together.
    pub fn parse(&self) -> Result<(Decision, String), ShopError> {
        let mut errors = Vec::new();
        let decision = match self.decision.as_str() {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            _ => {
                errors.push(FieldError::new(
                    "decision",
                    "must be one of approve, reject",
                ));
                None
            }
        };
        let reason = match cancel_reason(&self.reason) {
            Ok(reason) => Some(reason),
            Err(ShopError::Invalid(reason_errors)) => {
                errors.extend(reason_errors);
                None
            }
            Err(other) => return Err(other),
        };
        match (decision, reason) {
            (Some(decision), Some(reason)) => Ok((decision, reason)),
            _ => Err(ShopError::Invalid(errors)),
        }
    }
}

/// `POST /returns/{id}/receipt` as sent: `{lines: [{sku, receivedQuantity, damagedQuantity}]}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptInput {
    pub lines: Vec<ReceiptLineInput>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptLineInput {
    pub sku: String,
    pub received_quantity: i64,
    pub damaged_quantity: i64,
}

/// The return's lines with what came back: every line of the return exactly once (in the
/// return's order), 0 ≤ damaged ≤ received ≤ requested, and at least one unit received
/// overall (a parcel that never came is rejected instead, which frees its units for
/// another return). Whether the return may be received at all is its status's to say
/// ([`ReturnStatus::may_become`](super::ReturnStatus::may_become)).
pub fn check_receipt(ret: &Return, input: &ReceiptInput) -> Result<Vec<ReturnLine>, ShopError> {
    let mut v = Validator::default();
    // (received, damaged) per line of the return, once a good receipt line names it.
    let mut counted: Vec<Option<(u32, u32)>> = vec![None; ret.lines.len()];
    // Lines of the return some receipt line names, good or not: not "missing".
    let mut named = vec![false; ret.lines.len()];
    for (i, line) in input.lines.iter().enumerate() {
        let sku_field = format!("lines[{i}].sku");
        let mut at = None;
        if let Some(sku) = v.check(line_sku(i, &line.sku)) {
            match ret.lines.iter().position(|l| l.sku == sku) {
                None => {
                    v.check::<()>(Err(FieldError::new(&sku_field, "is not on this return")));
                }
                Some(p) if named[p] => {
                    v.check::<()>(Err(FieldError::new(&sku_field, "appears more than once")));
                }
                Some(p) => {
                    named[p] = true;
                    at = Some(p);
                }
            }
        }
        let requested = at.map(|p| ret.lines[p].quantity);
        let received = counted_units(
            &mut v,
            &format!("lines[{i}].receivedQuantity"),
            line.received_quantity,
            requested.map(|q| (q, "units returned")),
        );
        let damaged = counted_units(
            &mut v,
            &format!("lines[{i}].damagedQuantity"),
            line.damaged_quantity,
            received.map(|r| (r, "units received")),
        );
        if let (Some(p), Some(received), Some(damaged)) = (at, received, damaged) {
            counted[p] = Some((received, damaged));
        }
    }
    let missing: Vec<&str> = ret
        .lines
        .iter()
        .zip(&named)
        .filter(|(_, named)| !**named)
        .map(|(line, _)| line.sku.as_str())
        .collect();
    if !missing.is_empty() {
        v.check::<()>(Err(FieldError::new(
            "lines",
            &format!(
                "must list every line of the return once (missing: {})",
                missing.join(", ")
            ),
        )));
    }
    // Only a complete receipt says nothing came back; an incomplete one is refused above.
    if counted.iter().all(|c| matches!(c, Some((0, _)))) {
        v.check::<()>(Err(FieldError::new(
            "lines",
            "nothing came back: reject the return instead",
        )));
    }
    v.finish()?;
    Ok(ret
        .lines
        .iter()
        .zip(counted)
        .map(|(line, counted)| {
            let (received, damaged) = counted.unwrap_or((0, 0));
            ReturnLine {
                received_quantity: Some(received),
                damaged_quantity: Some(damaged),
                ..line.clone()
            }
        })
        .collect())
}

/// A count of units from 0 to `most` (the limit and what it counts), when the limit is
/// known; without one only its sign is checked, and the count is not used.
fn counted_units(
    v: &mut Validator,
    field: &str,
    value: i64,
    most: Option<(u32, &str)>,
) -> Option<u32> {
    if value < 0 {
        v.check::<()>(Err(FieldError::new(field, "must not be negative")));
        return None;
    }
    let (most, what) = most?;
    if value > i64::from(most) {
        v.check::<()>(Err(FieldError::new(
            field,
            &format!("must be at most {most}, the {what}"),
        )));
        return None;
    }
    u32::try_from(value).ok()
}
