//! Tracking back against DynamoDB Local, the carrier's files and the mail queue in
//! memory: an event file with events in order, twice, reversed, for an unknown shipment
//! and malformed ends exact, reports its bad lines and mails each piece of news once; the
//! same file again changes nothing; a mail that could not be queued goes out, once, when
//! the file is delivered again.

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use shop::clock;
use shop::domain::fulfilment::{RunId, ShipmentStatus};
use shop::domain::ids::ShipmentId;
use shop::domain::mail::{Mail, ShipmentNews};
use shop::domain::order::OrderStatus;
use shop::services::fulfilment::tracking::{self, FileSummary, TrackingOutcome};
use shop::services::fulfilment::{self, handoff};
use shop::ShopError;

use super::fakes::{Files, Mails};
use super::{parcels, profile, set_pickup, two_sellers, TwoSellers};

const SHOPPER: &str = "shopper@example.com";

/// Both shipments of the bench's order packed and handed over; answers (A's, B's).
async fn handed_over(t: &TwoSellers) -> (ShipmentId, ShipmentId) {
    profile(&t.store, &t.shopper, SHOPPER).await;
    let (a, b) = (t.shipment_of(&t.a), t.shipment_of(&t.b));
    for (seller, id) in [(&t.a, &a), (&t.b, &b)] {
        set_pickup(&t.store, seller).await;
        fulfilment::ready(&t.store, seller, id, parcels(900))
            .await
            .unwrap();
    }
    let slot = (clock::now() + Duration::seconds(1))
        .replace_nanosecond(0)
        .unwrap();
    let settings = handoff::HandoffSettings {
        carrier: "Colis Rapide",
        page_size: 100,
    };
    clock::frozen_at(slot + Duration::seconds(1), async {
        handoff::run(&t.store, &Files::default(), slot, settings).await
    })
    .await
    .unwrap();
    assert_eq!(RunId::for_slot(slot).as_str().len(), 16);
    (a, b)
}

fn event(id: &ShipmentId, kind: &str, tracking: &str, event_id: &str) -> String {
    let at = (OffsetDateTime::now_utc() - Duration::hours(2))
        .format(&Rfc3339)
        .unwrap();
    format!(
        r#"{{"shipmentId":"{id}","event":"{kind}","at":"{at}","trackingNumber":"{tracking}","eventId":"{event_id}"}}"#
    )
}

async fn apply(
    t: &TwoSellers,
    files: &Files,
    mails: &Mails,
    key: &str,
    etag: &str,
) -> Result<TrackingOutcome, ShopError> {
    tracking::apply_file(&t.store, files, mails, "Colis Rapide", key, etag).await
}

fn news_to_shopper(mails: &Mails) -> Vec<(String, ShipmentNews)> {
    let mut told: Vec<(String, ShipmentNews)> = mails
        .queued
        .lock()
        .unwrap()
        .iter()
        .map(|m| match m {
            Mail::ShipmentUpdate {
                to,
                shipment_id,
                news,
                ..
            } => {
                assert_eq!(to, SHOPPER);
                (shipment_id.clone(), *news)
            }
            other => panic!("not a shipment mail: {other:?}"),
        })
        .collect();
    told.sort_by_key(|(id, news)| (id.clone(), news.as_str()));
    told
}

#[tokio::test]
async fn events_in_any_order_end_exact_report_bad_lines_and_mail_once() {
    let t = two_sellers().await;
    let (a, b) = handed_over(&t).await;
    let (ta, tb) = ("CR000000001FR", "CR000000002FR");
    let unknown = ShipmentId::parse(&format!("{}.{}", uuid::Uuid::now_v7(), a.seller())).unwrap();
    let lines = [
        event(&a, "collected", ta, "a-1"),        // 1 applied: shipped
        event(&a, "collected", ta, "a-1"),        // 2 duplicate
        event(&b, "delivered", tb, "b-3"),        // 3 applied: B delivered first
        event(&a, "in_transit", ta, "a-2"),       // 4 stale: in transit already
        event(&b, "in_transit", tb, "b-2"),       // 5 stale: B is delivered
        event(&b, "collected", tb, "b-1"),        // 6 stale
        event(&a, "out_for_delivery", ta, "a-3"), // 7 applied: out for delivery
        event(&unknown, "delivered", ta, "x-1"),  // 8 rejected: shipmentId
        "not json".to_owned(),                    // 9 rejected
        event(&a, "lost", ta, "a-9"),             // 10 rejected: event
        event(&a, "delivered", ta, "a-4"),        // 11 applied: A delivered
        event(&a, "delivered", ta, "a-4"),        // 12 duplicate
        String::new(),                            // 13 blank: not a line
    ];
    let files = Files::default();
    let key = "carrier/inbox/2026-12-10.jsonl";
    let etag = files.drop_file(key, &lines.join("\r\n"));
    let mails = Mails::default();
    let TrackingOutcome::Applied(summary) = apply(&t, &files, &mails, key, &etag).await.unwrap()
    else {
        panic!("not applied")
    };
    let counts = |s: &FileSummary| (s.read, s.applied, s.duplicate, s.stale, s.rejected);
    assert_eq!(counts(&summary), (12, 4, 2, 3, 3));
    let written: serde_json::Value = serde_json::from_str(
        &files
            .text("carrier/reports/2026-12-10.jsonl.summary.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(written, serde_json::to_value(&summary).unwrap());
    assert_eq!(
        (written["etag"].as_str(), written["file"].as_str()),
        (Some(etag.as_str()), Some(key))
    );
    let errors = files
        .text("carrier/reports/2026-12-10.jsonl.errors.csv")
        .unwrap();
    let rows: Vec<(String, String)> = errors
        .lines()
        .skip(1)
        .map(|l| {
            let mut cells = l.splitn(3, ',');
            (cells.next().unwrap().into(), cells.next().unwrap().into())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("8".into(), "shipmentId".into()),
            ("9".into(), String::new()),
            ("10".into(), "event".into())
        ],
        "{errors:?}"
    );

    let (sa, sb) = (
        t.store.get_shipment(&a).await.unwrap().unwrap(),
        t.store.get_shipment(&b).await.unwrap().unwrap(),
    );
    assert_eq!(
        (sa.status, sb.status),
        (ShipmentStatus::Delivered, ShipmentStatus::Delivered)
    );
    assert_eq!(sa.tracking_number.as_deref(), Some(ta));
    assert_eq!(sb.tracking_number.as_deref(), Some(tb));
    assert_eq!(sa.carrier_event_ids, ["a-1", "a-3", "a-4"]);
    assert_eq!(sb.carrier_event_ids, ["b-3"]);
    assert!(sa.out_for_delivery_at.is_some() && sa.delivered_at.is_some());
    let moves = |s: &shop::domain::fulfilment::Shipment| -> Vec<ShipmentStatus> {
        s.history.iter().map(|h| h.to).collect()
    };
    use ShipmentStatus::*;
    assert_eq!(
        moves(&sa),
        [AwaitingFulfilment, Ready, HandedOver, InTransit, Delivered]
    );
    assert_eq!(
        moves(&sb),
        [AwaitingFulfilment, Ready, HandedOver, Delivered]
    );
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Delivered);
    let order_moves: Vec<OrderStatus> = order.history.iter().map(|h| h.status).collect();
    assert!(
        order_moves.ends_with(&[
            OrderStatus::Shipped,
            OrderStatus::PartiallyDelivered,
            OrderStatus::Delivered
        ]),
        "{order_moves:?}"
    );
    // A's collection and its day out for delivery come in the file that delivers it: its
    // customer is told once, that it was delivered (`told_by_delivery`).
    let mut expected = vec![
        (a.to_string(), ShipmentNews::Delivered),
        (b.to_string(), ShipmentNews::Delivered),
    ];
    expected.sort_by_key(|(id, news)| (id.clone(), news.as_str()));
    assert_eq!(news_to_shopper(&mails), expected);

    // The same content again (a second delivery, or the same file uploaded again).
    let writes = files.writes();
    assert_eq!(
        apply(&t, &files, &mails, key, &etag).await.unwrap(),
        TrackingOutcome::AlreadyApplied
    );
    assert_eq!(files.writes(), writes);
    assert_eq!(news_to_shopper(&mails), expected);
    assert_eq!(t.store.get_shipment(&a).await.unwrap().unwrap(), sa);
}

#[tokio::test]
async fn a_mail_not_queued_goes_out_once_when_the_file_comes_again() {
    let t = two_sellers().await;
    let (a, _) = handed_over(&t).await;
    let files = Files::default();
    let key = "carrier/inbox/late.jsonl";
    let etag = files.drop_file(key, &event(&a, "collected", "CR42", "c-1"));
    let mails = Mails::default();
    *mails.down.lock().unwrap() = true;
    let failed = apply(&t, &files, &mails, key, &etag).await;
    assert!(
        matches!(failed, Err(ShopError::Unavailable(_))),
        "{failed:?}"
    );
    // The move and its notice were written together; the mail waits.
    let moved = t.store.get_shipment(&a).await.unwrap().unwrap();
    assert_eq!(moved.status, ShipmentStatus::InTransit);
    assert_eq!(t.store.pending_notices(&t.order).await.unwrap().len(), 1);
    assert!(files
        .text("carrier/reports/late.jsonl.summary.json")
        .is_none());

    // Delivered again (the failed attempt gave the file up: no wait for its lease).
    *mails.down.lock().unwrap() = false;
    let TrackingOutcome::Applied(summary) = apply(&t, &files, &mails, key, &etag).await.unwrap()
    else {
        panic!("not applied")
    };
    assert_eq!((summary.applied, summary.duplicate), (0, 1));
    assert_eq!(
        news_to_shopper(&mails),
        [(a.to_string(), ShipmentNews::Shipped)]
    );
    assert!(t.store.pending_notices(&t.order).await.unwrap().is_empty());
    assert_eq!(t.store.get_shipment(&a).await.unwrap().unwrap(), moved);
    assert_eq!(
        apply(&t, &files, &mails, key, &etag).await.unwrap(),
        TrackingOutcome::AlreadyApplied
    );
    assert_eq!(news_to_shopper(&mails).len(), 1);
}

#[tokio::test]
async fn keys_outside_the_inbox_are_ignored_and_gone_files_left_for_their_return() {
    let t = two_sellers().await;
    let (files, mails) = (Files::default(), Mails::default());
    for key in [
        "carrier/reports/x.jsonl.summary.json",
        "carrier/inbox/x.csv",
        "carrier/outbox/r.jsonl",
    ] {
        assert_eq!(
            apply(&t, &files, &mails, key, "e").await.unwrap(),
            TrackingOutcome::Ignored,
            "{key}"
        );
    }
    // An event whose content is gone (deleted, or replaced by content with its own event).
    let etag = files.drop_file("carrier/inbox/y.jsonl", "{}");
    files.drop_file("carrier/inbox/y.jsonl", "{\"other\": 1}");
    for key in ["carrier/inbox/y.jsonl", "carrier/inbox/deleted.jsonl"] {
        assert_eq!(
            apply(&t, &files, &mails, key, &etag).await.unwrap(),
            TrackingOutcome::Gone,
            "{key}"
        );
    }
    assert_eq!(files.writes(), 0);
    // The same content back under its name is applied then (the gone one left no record).
    files.drop_file("carrier/inbox/y.jsonl", "{}");
    let TrackingOutcome::Applied(summary) =
        apply(&t, &files, &mails, "carrier/inbox/y.jsonl", &etag)
            .await
            .unwrap()
    else {
        panic!("not applied")
    };
    assert_eq!((summary.read, summary.rejected), (1, 1));
}
