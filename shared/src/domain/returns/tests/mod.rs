use super::*;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentLine, ShipmentStatus};
use crate::domain::money::{Currency, Money};
use crate::domain::order::Address;
use std::collections::BTreeMap;
use time::macros::datetime;
use ReturnStatus::*;

const ORDER: &str = "0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d";
const DELIVERED: &str = "2026-01-10T12:00:00.000000Z";
const NOW: OffsetDateTime = datetime!(2026-01-20 12:00 UTC);
const WINDOW: u32 = 30;

fn sku(raw: &str) -> Sku {
    Sku::parse(raw).unwrap()
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap())
}

fn shipment_id(seller: &str) -> ShipmentId {
    ShipmentId::new(
        OrderId::parse(ORDER).unwrap(),
        SellerId::of(&UserId::parse(seller).unwrap()),
    )
}

/// A shipment of `seller`'s `lines` (SKU, units), as the checkout makes them, in `status`.
fn shipment(
    seller: &str,
    status: ShipmentStatus,
    delivered_at: Option<&str>,
    lines: &[(&str, u32)],
) -> Shipment {
    let account = UserId::parse(seller).unwrap();
    Shipment {
        id: shipment_id(seller),
        order_id: OrderId::parse(ORDER).unwrap(),
        seller_id: SellerId::of(&account),
        seller: account,
        status,
        lines: lines
            .iter()
            .map(|&(name, quantity)| ShipmentLine {
                sku: sku(name),
                product_id: ProductId::parse(&format!("p-{name}")).unwrap(),
                product_name: format!("Product {name}"),
                quantity,
                unit_price: usd(500),
                line_total: usd(500 * i64::from(quantity)),
            })
            .collect(),
        shipping_address: Address {
            name: "Ada Lovelace".into(),
            line1: "1 Rue de Rivoli".into(),
            line2: None,
            city: "Paris".into(),
            region: None,
            postal_code: "75001".into(),
            country: "FR".into(),
        },
        service_level: "standard".into(),
        parcels: Vec::new(),
        pickup_address: None,
        ready_at: None,
        handoff_run_id: None,
        handoff_token: None,
        carrier: None,
        tracking_number: None,
        estimated_delivery: None,
        out_for_delivery_at: None,
        delivered_at: delivered_at.map(str::to_owned),
        carrier_event_ids: Vec::new(),
        cancel_reason: None,
        restocked: false,
        refund_id: None,
        return_requested: BTreeMap::new(),
        returned: BTreeMap::new(),
        return_seq: 0,
        history: Vec::new(),
        rev: 0,
        created_at: "2026-01-05T10:00:00.000000Z".into(),
    }
}

fn delivered(seller: &str, lines: &[(&str, u32)]) -> Shipment {
    shipment(seller, ShipmentStatus::Delivered, Some(DELIVERED), lines)
}

/// A request for `lines` (SKU, units), each for the same reason.
fn ask(lines: &[(&str, i64)]) -> ReturnRequestInput {
    ReturnRequestInput {
        lines: lines
            .iter()
            .map(|&(sku, quantity)| ReturnLineInput {
                sku: sku.into(),
                quantity,
                reason: "  does not fit \n".into(),
            })
            .collect(),
    }
}

/// `plan_returns` of `lines` (SKU, units) against `shipments`, now, in a 30-day window.
fn plan(shipments: &[Shipment], lines: &[(&str, i64)]) -> Result<Vec<NewReturn>, ShopError> {
    plan_returns(shipments, &ask(lines), NOW, WINDOW)
}

/// Asserts `result` is a 422 of exactly these (field, message) pairs, in order.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, ShopError>, expected: &[(&str, &str)]) {
    match result {
        Err(ShopError::Invalid(errors)) => {
            let found: Vec<(&str, &str)> = errors
                .iter()
                .map(|e| (e.field.as_str(), e.message.as_str()))
                .collect();
            assert_eq!(found, expected);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn the_window_includes_its_last_instant() {
    let shipments = [delivered("seller-a", &[("A", 1)])];
    let last = datetime!(2026-02-09 12:00 UTC);
    assert_eq!(window_closes(datetime!(2026-01-10 12:00 UTC), WINDOW), last);
    assert!(plan_returns(&shipments, &ask(&[("A", 1)]), last, WINDOW).is_ok());
    let late = last + time::Duration::microseconds(1);
    assert_refused(
        plan_returns(&shipments, &ask(&[("A", 1)]), late, WINDOW),
        &[("lines[0].sku", "the return window closed on 2026-02-09")],
    );
}

#[test]
fn more_than_delivered_is_invalid_and_units_held_by_other_returns_a_conflict() {
    let mut s = delivered("seller-a", &[("A", 2)]);
    s.return_requested.insert(sku("A"), 1);
    let shipments = [s];
    let more = "more than delivered: 2 delivered";
    assert_refused(
        plan(&shipments, &[("A", 3)]),
        &[("lines[0].quantity", more)],
    );
    // Huge counts are refused by the same rule, not wrapped.
    assert_refused(
        plan(&shipments, &[("A", i64::MAX)]),
        &[("lines[0].quantity", more)],
    );
    // Within what was delivered, but another return holds one: a conflict naming what is left.
    match plan(&shipments, &[("A", 2)]) {
        Err(ShopError::Conflict(m)) => {
            assert!(m.contains("lines[0].quantity: 2 asked, 1 left"), "{m}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        plan(&shipments, &[("A", 1)]).unwrap()[0].lines[0].quantity,
        1
    );
}

#[test]
fn a_request_over_two_shipments_splits_in_shipment_order() {
    let shipments = [
        delivered("seller-a", &[("A1", 2), ("A2", 1)]),
        delivered("seller-b", &[("B1", 3)]),
    ];
    let planned = plan(&shipments, &[("b1", 3), ("A2", 1), ("A1", 1)]).unwrap();
    assert_eq!(planned.len(), 2);
    let lines: Vec<(usize, &str, u32)> = planned
        .iter()
        .flat_map(|r| {
            r.lines
                .iter()
                .map(|l| (r.shipment, l.sku.as_str(), l.quantity))
        })
        .collect();
    assert_eq!(lines, [(0, "A2", 1), (0, "A1", 1), (1, "B1", 3)]);
    let b1 = &planned[1].lines[0];
    let facts = (
        b1.product_id.as_str(),
        b1.product_name.as_str(),
        b1.reason.as_str(),
    );
    assert_eq!(facts, ("p-B1", "Product B1", "does not fit"));
    assert_eq!((b1.received_quantity, b1.damaged_quantity), (None, None));
}

#[test]
fn only_delivered_shipments_with_a_delivery_time_are_returnable() {
    for (status, at) in [
        (ShipmentStatus::InTransit, None),
        (ShipmentStatus::DeliveryFailed, None),
        (ShipmentStatus::Delivered, None),
        (ShipmentStatus::Cancelled, Some(DELIVERED)),
    ] {
        let s = shipment("seller-a", status, at, &[("A", 1)]);
        let not_yet = [("lines[0].sku", "has not been delivered")];
        assert_refused(plan(&[s], &[("A", 1)]), &not_yet);
    }
    let mut unreadable = delivered("seller-a", &[("A", 1)]);
    unreadable.delivered_at = Some("yesterday".into());
    let unreadable = plan(&[unreadable], &[("A", 1)]);
    assert!(matches!(unreadable, Err(ShopError::Internal(_))));
}

#[test]
fn unknown_malformed_and_repeated_skus_are_refused() {
    let shipments = [delivered("seller-a", &[("A", 2)])];
    let malformed = "may contain only letters, digits, '-', '_' and '.'";
    assert_refused(
        plan(&shipments, &[("A", 1), ("Z", 1), ("a", 1), ("A#1", 1)]),
        &[
            ("lines[1].sku", "is not in this order"),
            ("lines[2].sku", "appears more than once"),
            ("lines[3].sku", malformed),
        ],
    );
}

#[test]
fn every_problem_is_reported_together() {
    let shipments = [delivered("seller-a", &[("A", 2), ("B", 1)])];
    let mut input = ask(&[("A", 0), ("B", 1)]);
    input.lines[1].reason = " \n ".into();
    assert_refused(
        plan_returns(&shipments, &input, NOW, WINDOW),
        &[
            ("lines[0].quantity", "must be at least 1"),
            ("lines[1].reason", "is required"),
        ],
    );
    input.lines[0].quantity = 1;
    input.lines[1].reason = "broken\u{7}".into();
    assert_refused(
        plan_returns(&shipments, &input, NOW, WINDOW),
        &[("lines[1].reason", "must not contain control characters")],
    );
    input.lines[1].reason = "line one\nline two".into();
    assert!(plan_returns(&shipments, &input, NOW, WINDOW).is_ok());
}

#[test]
fn a_request_lists_1_to_25_lines() {
    let shipments = [delivered("seller-a", &[("A", 30)])];
    let too_many = [("lines", "must list 1 to 25 lines")];
    assert_refused(plan(&shipments, &[]), &too_many);
    let mut input = ask(&[("A", 1); MAX_RETURN_LINES + 1]);
    for (n, line) in input.lines.iter_mut().enumerate().skip(1) {
        line.sku = format!("A.{n}");
    }
    let Err(ShopError::Invalid(errors)) = plan_returns(&shipments, &input, NOW, WINDOW) else {
        panic!("26 lines refused");
    };
    let first = (errors[0].field.as_str(), errors[0].message.as_str());
    assert_eq!((first, errors.len()), (too_many[0], 1 + MAX_RETURN_LINES));
}

#[test]
fn only_the_listed_moves_exist() {
    let allowed = [
        (Requested, Approved),
        (Requested, Rejected),
        (Approved, Received),
        (Approved, Rejected),
        (Received, Refunded),
    ];
    for from in ReturnStatus::ALL {
        for to in ReturnStatus::ALL {
            let listed = allowed.contains(&(from, to));
            assert_eq!(from.may_become(to), listed, "{from:?} -> {to:?}");
        }
    }
}

#[test]
fn statuses_parse_by_their_names() {
    for status in ReturnStatus::ALL {
        assert_eq!(ReturnStatus::parse(status.as_str()).unwrap(), status);
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(json, format!("\"{}\"", status.as_str()));
    }
    let err = ReturnStatus::parse("Approved").unwrap_err();
    assert_eq!(err.field, "status");
    let names = "requested, approved, rejected, received, refunded";
    assert_eq!(err.message, format!("must be one of {names}"));
}

#[test]
fn return_id_round_trips_and_refuses_strays() {
    let shipment = shipment_id("seller-a");
    let id = ReturnId::new(&shipment, 12);
    assert_eq!(id.as_str(), format!("{shipment}.r12"));
    assert_eq!(ReturnId::parse(id.as_str()).unwrap(), id);
    assert_eq!(id.shipment(), shipment);
    let json = format!("\"{id}\"");
    assert_eq!(serde_json::from_str::<ReturnId>(&json).unwrap(), id);
    assert_eq!(String::from(id.clone()), id.to_string());
    for bad in [
        String::new(),
        shipment.to_string(),
        format!("{shipment}.x1"),
        format!("{shipment}.r"),
        format!("{shipment}.r0"),
        format!("{shipment}.r01"),
        format!("{shipment}.r1a"),
        format!("{shipment}.r99999999999"),
        format!("{shipment}r1"),
        format!("{ORDER}.r1"),
        format!("{ORDER}.s0123456789ABCDEF0123.r1"),
        format!("{shipment}.r1#"),
        format!(".{shipment}.r1"),
        format!("{}.{}.r1", "a".repeat(200), shipment.seller()),
    ] {
        let err = ReturnId::parse(&bad).unwrap_err();
        assert_eq!(err.field, ReturnId::FIELD, "{bad}");
        assert!(serde_json::from_str::<ReturnId>(&format!("\"{bad}\"")).is_err());
    }
}

#[test]
fn a_decision_is_approve_or_reject_with_a_reason() {
    let decide = |decision: &str, reason: &str| {
        DecisionInput {
            decision: decision.into(),
            reason: reason.into(),
        }
        .parse()
    };
    assert_eq!(
        decide("approve", " ok, send it \n").unwrap(),
        (Decision::Approve, "ok, send it".to_owned())
    );
    assert_eq!(decide("reject", "worn").unwrap().0, Decision::Reject);
    assert_refused(
        decide("Approve", ""),
        &[
            ("decision", "must be one of approve, reject"),
            ("reason", "is required"),
        ],
    );
    let unknown = serde_json::from_str::<DecisionInput>(
        r#"{"decision":"approve","reason":"ok","refund":true}"#,
    );
    assert!(unknown.is_err(), "unknown fields are refused");
}

#[test]
fn a_view_shows_no_account_ids() {
    let ret = approved(&[("A", 1)]);
    let json = serde_json::to_value(ret.view()).unwrap();
    assert!(json.get("sellerId").is_some() && json.get("shipmentId").is_some());
    assert!(json.get("seller").is_none() && json.get("customerId").is_none());
    let text = json.to_string();
    assert!(!text.contains("seller-a") && !text.contains("customer-1"));
    // The stored form keeps them, and reads back as written.
    let stored = serde_json::to_string(&ret).unwrap();
    assert_eq!(serde_json::from_str::<Return>(&stored).unwrap(), ret);
}

// A receipt of what came back.
mod receipt;

use receipt::approved;
