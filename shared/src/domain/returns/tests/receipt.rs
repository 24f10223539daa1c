//! What a receipt may say of an approved return.

use super::*;

/// The return `plan_returns` makes of `lines` (SKU, units) of seller-a's shipment, approved.
pub(super) fn approved(lines: &[(&str, u32)]) -> Return {
    let shipment = delivered("seller-a", lines);
    let asked: Vec<(&str, i64)> = lines.iter().map(|&(s, q)| (s, i64::from(q))).collect();
    let mut planned = plan(std::slice::from_ref(&shipment), &asked).unwrap();
    Return {
        id: ReturnId::new(&shipment.id, 1),
        order_id: shipment.order_id,
        shipment_id: shipment.id,
        customer_id: UserId::parse("customer-1").unwrap(),
        seller: shipment.seller,
        seller_id: shipment.seller_id,
        status: Approved,
        lines: planned.remove(0).lines,
        requested_at: "2026-01-20T12:00:00.000000Z".into(),
        decided_at: Some("2026-01-21T12:00:00.000000Z".into()),
        decision_reason: Some("send it back".into()),
        received_at: None,
        refund_id: None,
        history: Vec::new(),
        rev: 2,
    }
}

fn receipt(lines: &[(&str, i64, i64)]) -> ReceiptInput {
    ReceiptInput {
        lines: lines
            .iter()
            .map(|&(sku, received, damaged)| ReceiptLineInput {
                sku: sku.into(),
                received_quantity: received,
                damaged_quantity: damaged,
            })
            .collect(),
    }
}

#[test]
fn a_receipt_records_what_came_back_in_the_returns_order() {
    let mut ret = approved(&[("A", 3), ("B", 1), ("C", 1)]);
    assert!(ret.received_units().is_empty(), "nothing before receipt");
    let lines = check_receipt(&ret, &receipt(&[("c", 0, 0), ("B", 1, 1), ("A", 3, 1)])).unwrap();
    let counts: Vec<(&str, Option<u32>, Option<u32>)> = lines
        .iter()
        .map(|l| (l.sku.as_str(), l.received_quantity, l.damaged_quantity))
        .collect();
    let expected = [
        ("A", Some(3), Some(1)),
        ("B", Some(1), Some(1)),
        ("C", Some(0), Some(0)),
    ];
    assert_eq!(counts, expected);
    ret.lines = lines;
    assert_eq!(ret.received_units(), [(sku("A"), 3), (sku("B"), 1)]);
    assert_eq!(ret.restock_units(), [(sku("A"), 2)]);
}

#[test]
fn a_receipt_keeps_damaged_within_received_within_requested() {
    let ret = approved(&[("A", 2), ("B", 1)]);
    let check = |a: (i64, i64)| check_receipt(&ret, &receipt(&[("A", a.0, a.1), ("B", 1, 0)]));
    assert_refused(
        check((1, 2)),
        &[(
            "lines[0].damagedQuantity",
            "must be at most 1, the units received",
        )],
    );
    assert_refused(
        check((3, 0)),
        &[(
            "lines[0].receivedQuantity",
            "must be at most 2, the units returned",
        )],
    );
    assert_refused(
        check((-1, -1)),
        &[
            ("lines[0].receivedQuantity", "must not be negative"),
            ("lines[0].damagedQuantity", "must not be negative"),
        ],
    );
    assert!(check((2, 2)).is_ok());
}

#[test]
fn a_receipt_lists_each_line_of_the_return_once() {
    let ret = approved(&[("A", 2), ("B", 1), ("C", 1)]);
    let missing = "must list every line of the return once (missing: A, C)";
    assert_refused(
        check_receipt(&ret, &receipt(&[("B", 1, 0)])),
        &[("lines", missing)],
    );
    let listed = receipt(&[
        ("A", 1, 0),
        ("B", 1, 0),
        ("C", 1, 0),
        ("Z", 1, 0),
        ("b", 1, 0),
    ]);
    assert_refused(
        check_receipt(&ret, &listed),
        &[
            ("lines[3].sku", "is not on this return"),
            ("lines[4].sku", "appears more than once"),
        ],
    );
}

#[test]
fn a_receipt_of_nothing_is_a_rejection_instead() {
    let ret = approved(&[("A", 2), ("B", 1)]);
    assert_refused(
        check_receipt(&ret, &receipt(&[("A", 0, 0), ("B", 0, 0)])),
        &[("lines", "nothing came back: reject the return instead")],
    );
    assert!(check_receipt(&ret, &receipt(&[("A", 0, 0), ("B", 1, 1)])).is_ok());
}
