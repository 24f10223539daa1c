use super::*;
use crate::domain::error::ShopError;
use crate::domain::ids::{OrderId, ProductId, SellerId, Sku, UserId};
use crate::domain::money::{Currency, Money};
use crate::domain::order::{
    plan_order_cancel, Address, HistoryEntry, Order, OrderCancel, OrderLine, OrderStatus,
    PaymentMethodId, PaymentState, MAX_CANCEL_REASON,
};
use std::collections::BTreeSet;
use ShipmentStatus::*;

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap())
}

fn line(sku: &str, seller: &str, quantity: u32) -> OrderLine {
    OrderLine {
        sku: Sku::parse(sku).unwrap(),
        product_id: ProductId::parse(&format!("p-{sku}")).unwrap(),
        product_name: format!("Product {sku}"),
        seller_id: UserId::parse(seller).unwrap(),
        quantity,
        unit_price: usd(500),
        line_total: usd(500 * i64::from(quantity)),
    }
}

fn order(lines: Vec<OrderLine>) -> Order {
    Order {
        id: OrderId::parse("0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d").unwrap(),
        customer_id: UserId::parse("customer-1").unwrap(),
        customer_email: Some("ada@example.com".into()),
        status: OrderStatus::Confirmed,
        cancel_reason: None,
        created_at: "2026-12-07T10:00:00.000000Z".into(),
        currency: Currency::parse("USD").unwrap(),
        lines,
        subtotal: usd(0),
        shipping: usd(0),
        tax: usd(0),
        total: usd(0),
        shipping_address: Address {
            name: "Ada Lovelace".into(),
            line1: "1 Rue de Rivoli".into(),
            line2: None,
            city: "Paris".into(),
            region: None,
            postal_code: "75001".into(),
            country: "FR".into(),
        },
        payment_method_id: PaymentMethodId::parse("pm_card_visa").unwrap(),
        payment: PaymentState::default(),
        history: Vec::<HistoryEntry>::new(),
        fulfilment_rev: 0,
        estimated_delivery: Some("2026-12-15".into()),
        transit_days: Some(2),
        refunded: Default::default(),
        cancel_request: None,
    }
}

#[test]
fn only_the_listed_moves_exist() {
    let allowed: BTreeSet<(&str, &str)> = [
        (AwaitingFulfilment, Ready),
        (AwaitingFulfilment, Cancelled),
        (Ready, HandedOver),
        (Ready, Cancelled),
        (HandedOver, InTransit),
        (HandedOver, Delivered),
        (HandedOver, DeliveryFailed),
        (InTransit, Delivered),
        (InTransit, DeliveryFailed),
    ]
    .iter()
    .map(|(a, b)| (a.as_str(), b.as_str()))
    .collect();
    for from in ShipmentStatus::ALL {
        for to in ShipmentStatus::ALL {
            assert_eq!(
                from.may_become(to),
                allowed.contains(&(from.as_str(), to.as_str())),
                "{from:?} -> {to:?}"
            );
        }
    }
}

#[test]
fn ends_are_never_left() {
    let ends: Vec<ShipmentStatus> = ShipmentStatus::ALL
        .into_iter()
        .filter(|s| s.is_end())
        .collect();
    assert_eq!(ends, [Delivered, DeliveryFailed, Cancelled]);
    for end in ends {
        for to in ShipmentStatus::ALL {
            assert!(!end.may_become(to), "{end:?} -> {to:?}");
        }
    }
    let with_carrier: Vec<ShipmentStatus> = ShipmentStatus::ALL
        .into_iter()
        .filter(|s| s.carrier_has_it())
        .collect();
    assert_eq!(
        with_carrier,
        [HandedOver, InTransit, Delivered, DeliveryFailed]
    );
}

#[test]
fn statuses_parse_by_their_names() {
    for status in ShipmentStatus::ALL {
        assert_eq!(ShipmentStatus::parse(status.as_str()).unwrap(), status);
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{}\"", status.as_str())
        );
    }
    let err = ShipmentStatus::parse("shipped").unwrap_err();
    assert_eq!(err.field, "status");
    assert!(err.message.contains("awaiting_fulfilment"));
}

#[test]
fn an_order_splits_into_one_shipment_per_seller() {
    let o = order(vec![
        line("A", "seller-a", 1),
        line("B", "seller-b", 2),
        line("C", "seller-a", 3),
    ]);
    let shipments = shipments_of(&o, "2026-12-07T10:00:01.000000Z");
    assert_eq!(shipments.len(), 2);
    let (a, b) = (&shipments[0], &shipments[1]);
    let seller_a = SellerId::of(&UserId::parse("seller-a").unwrap());
    assert_eq!(a.id.to_string(), format!("{}.{seller_a}", o.id));
    assert_eq!(a.seller_id, seller_a);
    let skus = |s: &Shipment| {
        s.lines
            .iter()
            .map(|l| (l.sku.to_string(), l.quantity))
            .collect::<Vec<_>>()
    };
    assert_eq!(skus(a), [("A".to_owned(), 1), ("C".to_owned(), 3)]);
    assert_eq!(skus(b), [("B".to_owned(), 2)]);
    for s in &shipments {
        assert_eq!(s.status, AwaitingFulfilment);
        assert_eq!(s.shipping_address, o.shipping_address);
        assert_eq!(s.estimated_delivery.as_deref(), Some("2026-12-15"));
        assert_eq!(s.history.len(), 1);
        assert_eq!(
            (s.history[0].from, s.history[0].to),
            (None, AwaitingFulfilment)
        );
        assert_eq!(s.created_at, "2026-12-07T10:00:01.000000Z");
    }
    assert!(shipments_of(&order(vec![]), "t").is_empty());
}

#[test]
fn a_sellers_view_holds_only_its_shipment() {
    let o = order(vec![line("A", "seller-a", 1), line("B", "seller-b", 1)]);
    let shipment = &shipments_of(&o, "2026-12-07T10:00:01.000000Z")[0];
    let json = serde_json::to_value(shipment.seller_view()).unwrap();
    let keys: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "id",
        "orderId",
        "status",
        "createdAt",
        "lines",
        "shippingAddress",
        "serviceLevel",
        "parcels",
        "pickupAddress",
        "readyAt",
        "handoffRunId",
        "carrier",
        "trackingNumber",
        "estimatedDelivery",
        "outForDeliveryAt",
        "deliveredAt",
        "cancelReason",
        "restocked",
        "history",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, expected);
    let text = json.to_string();
    for secret in [
        "ada@example.com",
        "customer-1",
        "pm_card_visa",
        "seller-a",
        "\"B\"",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let customer = serde_json::to_value(shipment.customer_view()).unwrap();
    assert!(
        !customer.to_string().contains("seller-a"),
        "the seller's account"
    );
}

#[test]
fn parcels_are_checked_with_their_field() {
    let input: ReadyInput = serde_json::from_str(
        r#"{"parcels":[{"weightGrams":1200,"lengthMm":300,"widthMm":200,"heightMm":100},
                       {"weightGrams":0,"lengthMm":300,"widthMm":2001,"heightMm":100}]}"#,
    )
    .unwrap();
    match input.parse() {
        Err(ShopError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["parcels[1].weightGrams", "parcels[1].widthMm"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let one: ReadyInput = serde_json::from_str(
        r#"{"parcels":[{"weightGrams":31500,"lengthMm":2000,"widthMm":1,"heightMm":1}]}"#,
    )
    .unwrap();
    assert_eq!(
        one.parse().unwrap(),
        [Parcel {
            weight_grams: 31_500,
            length_mm: 2_000,
            width_mm: 1,
            height_mm: 1
        }]
    );
    let none: ReadyInput = serde_json::from_str(r#"{"parcels":[]}"#).unwrap();
    assert!(matches!(none.parse(), Err(ShopError::Invalid(e)) if e[0].field == "parcels"));
    let parcel = r#"{"weightGrams":1,"lengthMm":1,"widthMm":1,"heightMm":1}"#;
    let many: ReadyInput =
        serde_json::from_str(&format!("{{\"parcels\":[{}]}}", vec![parcel; 21].join(","))).unwrap();
    assert!(matches!(many.parse(), Err(ShopError::Invalid(e)) if e[0].field == "parcels"));
    assert!(serde_json::from_str::<ReadyInput>(r#"{"parcels":[],"extra":1}"#).is_err());
}

#[test]
fn a_cancellation_needs_a_reason() {
    let reason = |r: &str| {
        CancelInput {
            reason: r.into(),
            lost: false,
        }
        .parse()
        .map(|(reason, _)| reason)
    };
    assert_eq!(reason("  out of stock  ").unwrap(), "out of stock");
    let lost: CancelInput = serde_json::from_str(r#"{"reason": "dropped", "lost": true}"#).unwrap();
    assert_eq!(lost.parse().unwrap(), ("dropped".to_owned(), true));
    let kept: CancelInput = serde_json::from_str(r#"{"reason": "no stock"}"#).unwrap();
    assert_eq!(
        kept.parse().unwrap(),
        ("no stock".to_owned(), false),
        "not lost unless said"
    );
    for bad in ["", "   ", &"x".repeat(MAX_CANCEL_REASON + 1), "bell\u{7}"] {
        assert!(
            matches!(reason(bad), Err(ShopError::Invalid(e)) if e[0].field == "reason"),
            "{bad:?}"
        );
    }
    assert!(
        reason(&"é".repeat(MAX_CANCEL_REASON)).is_ok(),
        "characters, not bytes"
    );
}

#[test]
fn manifest_line_shape_is_the_contract() {
    let o = order(vec![line("A", "seller-a", 1)]);
    let mut shipment = shipments_of(&o, "2026-12-07T10:00:01.000000Z").remove(0);
    let run = RunId::for_slot(time::macros::datetime!(2026-12-08 06:00 UTC));
    assert_eq!(ManifestLine::of(&shipment, &run), None, "never packed");
    shipment.parcels = vec![Parcel {
        weight_grams: 1_200,
        length_mm: 300,
        width_mm: 200,
        height_mm: 100,
    }];
    shipment.pickup_address = Some(Address {
        name: "Acme Outdoor".into(),
        line1: "4 Quai de Bercy".into(),
        line2: None,
        city: "Paris".into(),
        region: None,
        postal_code: "75012".into(),
        country: "FR".into(),
    });
    shipment.ready_at = Some("2026-12-07T15:02:11.123456Z".into());
    let line = ManifestLine::of(&shipment, &run).unwrap().to_json_line();
    assert_eq!(
        line,
        format!(
            "{{\"runId\":\"20261208T060000Z\",\"shipmentId\":\"{}\",\"serviceLevel\":\"standard\",\
             \"parcels\":[{{\"weightGrams\":1200,\"lengthMm\":300,\"widthMm\":200,\"heightMm\":100}}],\
             \"pickup\":{{\"name\":\"Acme Outdoor\",\"line1\":\"4 Quai de Bercy\",\"line2\":null,\"city\":\"Paris\",\
             \"region\":null,\"postalCode\":\"75012\",\"country\":\"FR\"}},\
             \"destination\":{{\"name\":\"Ada Lovelace\",\"line1\":\"1 Rue de Rivoli\",\"line2\":null,\"city\":\"Paris\",\
             \"region\":null,\"postalCode\":\"75001\",\"country\":\"FR\"}},\
             \"readyAt\":\"2026-12-07T15:02:11.123456Z\"}}",
            shipment.id
        )
    );
    for absent in [
        "\n",
        "ada@example.com",
        "customer-1",
        "unitPrice",
        "lineTotal",
    ] {
        assert!(!line.contains(absent), "{absent}");
    }
}

#[test]
fn an_order_is_cancelled_whole_only_before_anything_is_with_the_carrier() {
    let mut paid = order(vec![line("A", "seller-a", 1), line("B", "seller-b", 2)]);
    let mut shipments = shipments_of(&paid, "2026-12-07T10:00:00Z");
    // Pending: the checkout ends it.
    paid.status = OrderStatus::PendingPayment;
    assert_eq!(plan_order_cancel(&paid, &[]).unwrap(), OrderCancel::Request);
    // Confirmed, one shipment packed, the other cancelled by its seller: the packed one goes.
    paid.status = OrderStatus::Confirmed;
    shipments[0].status = Ready;
    shipments[1].status = Cancelled;
    let OrderCancel::Paid { shipments: going } = plan_order_cancel(&paid, &shipments).unwrap()
    else {
        panic!("a confirmed order is cancelled as paid");
    };
    assert_eq!(
        going.iter().map(|s| &s.id).collect::<Vec<_>>(),
        [&shipments[0].id]
    );
    // Any shipment with the carrier: refused, naming it.
    for sent in [HandedOver, InTransit, Delivered, DeliveryFailed] {
        shipments[1].status = sent;
        let err = plan_order_cancel(&paid, &shipments).unwrap_err();
        assert!(
            matches!(&err, ShopError::Conflict(m) if m.contains(&shipments[1].id.to_string()) && m.contains(sent.as_str())),
            "{err:?}"
        );
    }
    paid.status = OrderStatus::Cancelled;
    assert_eq!(
        plan_order_cancel(&paid, &shipments).unwrap(),
        OrderCancel::Already
    );
}
