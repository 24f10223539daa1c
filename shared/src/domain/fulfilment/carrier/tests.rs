use super::*;
use time::macros::datetime;
use ShipmentStatus::*;

const ID: &str = "0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d.s0123456789abcdef0123";
const NOW: OffsetDateTime = datetime!(2026-12-10 12:00 UTC);

fn line(event: &str, id: &str) -> String {
    format!(
        r#"{{"shipmentId":"{ID}","event":"{event}","at":"2026-12-10T09:12:00Z","trackingNumber":"cr123456789fr","eventId":"{id}"}}"#
    )
}

fn event(kind: &str, id: &str) -> CarrierEvent {
    parse_event_line(1, &line(kind, id), NOW).unwrap()
}

fn facts<'a>(status: ShipmentStatus, applied: &'a [String]) -> ShipmentFacts<'a> {
    ShipmentFacts {
        status,
        tracking_number: None,
        applied,
        out_for_delivery: false,
    }
}

/// Applies `events` in order to a handed-over shipment, as the service writes them.
fn run(events: &[(&str, &str)]) -> (ShipmentStatus, Vec<Effect>) {
    let (mut status, mut applied, mut out) = (HandedOver, Vec::<String>::new(), false);
    let mut effects = Vec::new();
    for (kind, id) in events {
        let e = event(kind, id);
        let effect = apply(
            &ShipmentFacts {
                status,
                tracking_number: Some("CR123456789FR"),
                applied: &applied,
                out_for_delivery: out,
            },
            &e,
        );
        match &effect {
            Effect::Move { to } => {
                status = *to;
                applied.push(e.event_id.clone());
                out |= e.kind == CarrierEventKind::OutForDelivery;
            }
            Effect::OutForDelivery => {
                applied.push(e.event_id.clone());
                out = true;
            }
            _ => {}
        }
        effects.push(effect);
    }
    (status, effects)
}

#[test]
fn a_line_is_read_strictly() {
    let e = event("collected", "cr-1");
    assert_eq!(e.shipment_id.to_string(), ID);
    assert_eq!(
        (e.kind, e.tracking_number.as_str()),
        (CarrierEventKind::Collected, "CR123456789FR")
    );
    let columns = |text: &str| -> Vec<String> {
        parse_event_line(7, text, NOW)
            .unwrap_err()
            .into_iter()
            .map(|r| {
                assert_eq!(r.line, 7);
                r.column
            })
            .collect()
    };
    assert_eq!(columns("not json"), [""]);
    assert_eq!(
        columns(&line("collected", "x").replace(r#","eventId":"x""#, "")),
        [""],
        "missing field"
    );
    assert_eq!(
        columns(&line("collected", "x").replace('}', r#","extra":1}"#)),
        [""],
        "unknown key"
    );
    assert_eq!(columns(&line("lost", "x")), ["event"]);
    assert_eq!(columns(&line("collected", "x y")), ["eventId"]);
    assert_eq!(
        columns(
            &line("collected", "x")
                .replace(ID, "nope")
                .replace("cr123456789fr", "#1")
        ),
        ["shipmentId", "trackingNumber"]
    );
    assert_eq!(
        columns(&line("collected", "x").replace("2026-12-10T09:12:00Z", "yesterday")),
        ["at"]
    );
    assert_eq!(
        columns(&line("collected", "x").replace("2026-12-10T09:12:00Z", "2026-12-11T12:00:01Z")),
        ["at"],
        "more than a day ahead"
    );
    assert!(parse_event_line(
        1,
        &line("collected", "x").replace("2026-12-10T09:12:00Z", "2026-12-11T12:00:00Z"),
        NOW
    )
    .is_ok());
}

#[test]
fn in_order_the_shipment_is_delivered() {
    let (status, effects) = run(&[
        ("collected", "1"),
        ("in_transit", "2"),
        ("out_for_delivery", "3"),
        ("delivered", "4"),
    ]);
    assert_eq!(status, Delivered);
    assert_eq!(
        effects,
        [
            Effect::Move { to: InTransit },
            Effect::Stale,
            Effect::OutForDelivery,
            Effect::Move { to: Delivered }
        ]
    );
}

#[test]
fn reversed_it_ends_delivered_and_never_goes_back() {
    let (status, effects) = run(&[
        ("delivered", "4"),
        ("out_for_delivery", "3"),
        ("in_transit", "2"),
        ("collected", "1"),
    ]);
    assert_eq!(status, Delivered);
    assert_eq!(
        effects,
        [
            Effect::Move { to: Delivered },
            Effect::Stale,
            Effect::Stale,
            Effect::Stale
        ]
    );
    let (status, _) = run(&[("delivered", "4"), ("delivery_failed", "5")]);
    assert_eq!(status, Delivered, "an end is never left");
    let (status, _) = run(&[("delivery_failed", "5"), ("delivered", "4")]);
    assert_eq!(status, DeliveryFailed);
}

#[test]
fn the_same_event_twice_is_applied_once() {
    let (status, effects) = run(&[
        ("collected", "1"),
        ("collected", "1"),
        ("out_for_delivery", "3"),
        ("out_for_delivery", "3"),
        ("out_for_delivery", "6"),
    ]);
    assert_eq!(status, InTransit);
    assert_eq!(
        effects,
        [
            Effect::Move { to: InTransit },
            Effect::Duplicate,
            Effect::OutForDelivery,
            Effect::Duplicate,
            Effect::Stale
        ]
    );
}

#[test]
fn events_for_shipments_the_carrier_never_had_are_refused() {
    let none: Vec<String> = Vec::new();
    for status in [AwaitingFulfilment, Ready, Cancelled] {
        assert!(
            matches!(
                apply(&facts(status, &none), &event("delivered", "1")),
                Effect::Refused {
                    column: "shipmentId",
                    ..
                }
            ),
            "{status:?}"
        );
    }
    let mut other = facts(InTransit, &none);
    other.tracking_number = Some("OTHER-1");
    assert!(matches!(
        apply(&other, &event("delivered", "1")),
        Effect::Refused {
            column: "trackingNumber",
            ..
        }
    ));
}

#[test]
fn the_customer_hears_each_step_once() {
    use crate::domain::mail::ShipmentNews::*;
    let news = |events: &[(&str, &str)]| -> Vec<Vec<ShipmentNews>> {
        let (_, effects) = run(events);
        effects
            .iter()
            .zip(events)
            .map(|(effect, (kind, id))| effect.news(&event(kind, id)))
            .collect()
    };
    assert_eq!(
        news(&[
            ("collected", "1"),
            ("in_transit", "2"),
            ("out_for_delivery", "3"),
            ("out_for_delivery", "4"),
            ("delivered", "5"),
            ("delivered", "5"),
        ]),
        [
            vec![Shipped],
            vec![],
            vec![OutForDelivery],
            vec![],
            vec![Delivered],
            vec![]
        ]
    );
    // Out for delivery first: it is shipped and out at once; a delivered first tells only that.
    assert_eq!(
        news(&[("out_for_delivery", "1"), ("collected", "2")]),
        [vec![Shipped, OutForDelivery], vec![]]
    );
    assert_eq!(
        news(&[("delivered", "9"), ("in_transit", "2"), ("collected", "1")]),
        [vec![Delivered], vec![], vec![]]
    );
    assert_eq!(news(&[("delivery_failed", "1")]), [vec![DeliveryFailed]]);
}

#[test]
fn out_for_delivery_is_recorded_with_the_move_it_makes_first() {
    let first = event("out_for_delivery", "1");
    assert!(Effect::Move { to: InTransit }.marks_out_for_delivery(&first));
    assert!(Effect::OutForDelivery.marks_out_for_delivery(&first));
    assert!(!Effect::Stale.marks_out_for_delivery(&first));
    assert!(!Effect::Move { to: InTransit }.marks_out_for_delivery(&event("collected", "2")));
}

#[test]
fn a_delivery_in_the_same_file_tells_what_came_before_it() {
    let at = |kind: &str, id: &str, hhmm: &str, tracking: &str| {
        let text = format!(
            r#"{{"shipmentId":"{ID}","event":"{kind}","at":"2026-12-10T{hhmm}:00Z","trackingNumber":"{tracking}","eventId":"{id}"}}"#
        );
        parse_event_line(1, &text, NOW).unwrap()
    };
    let collected = at("collected", "e1", "08:00", "CR0001");
    let out = at("out_for_delivery", "e2", "09:00", "CR0001");
    let delivered = at("delivered", "e3", "10:00", "CR0001");
    // Collected, out for delivery and delivered in one file: only the delivery is told.
    assert_eq!(
        told_by_delivery(&[&collected, &out, &delivered]),
        [true, true, false]
    );
    // A delivery listed first tells the shipping listed after it.
    assert_eq!(told_by_delivery(&[&delivered, &collected]), [false, true]);
    // No delivery in the file: every event tells its news.
    assert_eq!(told_by_delivery(&[&collected, &out]), [false, false]);
    // A failed delivery tells its own news, and the shipping before it too; a delivery
    // after it is stale (an end is never left), so it tells nothing of the shipping.
    let failed = at("delivery_failed", "e4", "10:00", "CR0001");
    assert_eq!(told_by_delivery(&[&collected, &failed]), [false, false]);
    assert_eq!(
        told_by_delivery(&[&collected, &failed, &delivered]),
        [false, false, false]
    );
    // Another parcel's delivery tells nothing of this one.
    let other = at("delivered", "e5", "10:00", "CR0002");
    assert_eq!(told_by_delivery(&[&collected, &other]), [false, false]);
}
