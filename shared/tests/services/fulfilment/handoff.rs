//! The carrier hand-off against DynamoDB Local, with the manifest kept by a recording
//! fake of the carrier bucket: every shipment packed before the slot, each once, page by
//! page; a slot run twice writes nothing the second time; an attempt that died after its
//! moves is taken over once its heartbeat is stale, and the new manifest still lists
//! every shipment once.

use time::{Duration, OffsetDateTime};

use shop::clock;
use shop::domain::fulfilment::{add_working_days, RunId, ShipmentStatus};
use shop::domain::ids::ShipmentId;
use shop::domain::order::OrderStatus;
use shop::services::fulfilment::{self, handoff};
use shop::store::Store;
use shop::ShopError;

use super::fakes::Files;
use super::{paid, parcels, set_pickup, two_sellers, TwoSellers};

fn settings(page_size: i32) -> handoff::HandoffSettings<'static> {
    handoff::HandoffSettings {
        carrier: "Colis Rapide",
        page_size,
    }
}

/// `n` more paid orders of the bench's sellers with A's shipment packed; A's shipment ids.
async fn packed(t: &TwoSellers, n: usize) -> Vec<ShipmentId> {
    set_pickup(&t.store, &t.a).await;
    let mut ids = vec![t.shipment_of(&t.a)];
    for _ in 1..n {
        let (order, _, _) = paid(&t.store, &t.a, &t.b, &t.shopper).await;
        ids.push(ShipmentId::new(order, t.shipment_of(&t.a).seller().clone()));
    }
    for id in &ids {
        fulfilment::ready(&t.store, &t.a, id, parcels(900))
            .await
            .unwrap();
    }
    ids
}

fn ids_in(lines: &[serde_json::Value]) -> Vec<String> {
    let mut ids: Vec<String> = lines
        .iter()
        .map(|l| l["shipmentId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[ShipmentId]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    ids.sort();
    ids
}

fn a_second_from_now() -> OffsetDateTime {
    (clock::now() + Duration::seconds(1))
        .replace_nanosecond(0)
        .unwrap()
}

async fn status_of(store: &Store, id: &ShipmentId) -> ShipmentStatus {
    store.get_shipment(id).await.unwrap().unwrap().status
}

#[tokio::test]
async fn a_run_pages_through_every_packed_shipment_once() {
    let t = two_sellers().await;
    let ids = packed(&t, 7).await;
    let files = Files::default();
    let slot = a_second_from_now();
    // Pages of 3 over 7 shipments (and the unpacked ones of B, which stay).
    let out = clock::frozen_at(slot + Duration::seconds(1), async {
        handoff::run(&t.store, &files, slot, settings(3)).await
    })
    .await
    .unwrap();
    assert_eq!(out.outcome, handoff::RunOutcome::Written);
    assert_eq!(out.shipments, Some(7));
    let run = RunId::for_slot(slot);
    let lines = files.manifest(&run);
    assert_eq!(ids_in(&lines), sorted(&ids));
    for id in &ids {
        let shipment = t.store.get_shipment(id).await.unwrap().unwrap();
        assert_eq!(shipment.status, ShipmentStatus::HandedOver);
        assert_eq!(shipment.handoff_run_id.as_deref(), Some(run.as_str()));
        // The collection's date and the carrier's 2 transit days (the tests' coverage).
        assert_eq!(
            shipment.estimated_delivery,
            Some(add_working_days(slot.date(), 2).to_string())
        );
        let order = t.store.get_order(id.order()).await.unwrap().unwrap();
        assert_eq!(
            order.status,
            OrderStatus::PartiallyShipped,
            "B's still waits"
        );
    }
    // The same slot again: nothing written, nothing moved.
    let again = handoff::run(&t.store, &files, slot, settings(3))
        .await
        .unwrap();
    assert_eq!(
        (again.outcome, again.shipments, files.writes()),
        (handoff::RunOutcome::AlreadyDone, Some(7), 1)
    );
}

#[tokio::test]
async fn a_shipment_packed_after_the_slot_waits_for_the_next() {
    let t = two_sellers().await;
    let early = packed(&t, 1).await;
    let slot = a_second_from_now();
    // Packed after the slot (the run starts later, as a late invocation would).
    let late = clock::frozen_at(slot + Duration::seconds(2), async {
        let b_id = t.shipment_of(&t.b);
        set_pickup(&t.store, &t.b).await;
        fulfilment::ready(&t.store, &t.b, &b_id, parcels(500))
            .await
            .unwrap();
        b_id
    })
    .await;
    let files = Files::default();
    handoff::run(&t.store, &files, slot, settings(100))
        .await
        .unwrap();
    assert_eq!(
        ids_in(&files.manifest(&RunId::for_slot(slot))),
        sorted(&early)
    );
    assert_eq!(status_of(&t.store, &late).await, ShipmentStatus::Ready);
    let next = slot + Duration::seconds(3600);
    clock::frozen_at(next, handoff::run(&t.store, &files, next, settings(100)))
        .await
        .unwrap();
    assert_eq!(
        ids_in(&files.manifest(&RunId::for_slot(next))),
        sorted(std::slice::from_ref(&late))
    );
    let order = t.store.get_order(late.order()).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Shipped);
}

#[tokio::test]
async fn a_dead_attempt_is_taken_over_and_nothing_goes_twice() {
    let t = two_sellers().await;
    let ids = packed(&t, 4).await;
    let files = Files::default();
    let slot = a_second_from_now();
    let run = RunId::for_slot(slot);
    // The first attempt moves every shipment, then cannot write its manifest and fails.
    *files.down.lock().unwrap() = true;
    let died = clock::frozen_at(slot, handoff::run(&t.store, &files, slot, settings(2))).await;
    assert!(matches!(died, Err(ShopError::Unavailable(_))), "{died:?}");
    *files.down.lock().unwrap() = false;
    for id in &ids {
        assert_eq!(status_of(&t.store, id).await, ShipmentStatus::HandedOver);
    }
    // A retry within the lease finds it running; one after it takes it over.
    let soon = clock::frozen_at(
        slot + Duration::seconds(10),
        handoff::run(&t.store, &files, slot, settings(2)),
    )
    .await
    .unwrap();
    assert_eq!(soon.outcome, handoff::RunOutcome::RunningElsewhere);
    let later = clock::frozen_at(
        slot + Duration::seconds(handoff::RUN_LEASE_SECONDS + 5),
        handoff::run(&t.store, &files, slot, settings(2)),
    )
    .await
    .unwrap();
    assert_eq!(
        (later.outcome, later.shipments),
        (handoff::RunOutcome::Written, Some(4))
    );
    assert_eq!(ids_in(&files.manifest(&run)), sorted(&ids));
    for id in &ids {
        let shipment = t.store.get_shipment(id).await.unwrap().unwrap();
        let moves = shipment
            .history
            .iter()
            .filter(|h| h.to == ShipmentStatus::HandedOver)
            .count();
        assert_eq!(moves, 1, "{id}");
    }
}
